#include "json/decision_encoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "model/date.hpp"
#include "test_ruleset.hpp"

namespace subsidy::json {
namespace {

using model::Outcome;
using R = model::ProgramResult;

class EncoderTest : public ::testing::Test {
 protected:
  eval::Ruleset rs = testing::make_ruleset();
  DecisionEncoder enc{rs};
  model::Days as_of = *model::parse_date("2022-06-01");
  model::Decision d;

  void SetUp() override { d.programs.resize(3); }
  std::string encode(std::string_view id, const eval::Explanation* ex = nullptr, bool english = false,
                     const eval::Selection* sel = nullptr) {
    std::string out;
    enc.append_json(out, id, d, as_of, ex, english, sel);
    return out;
  }
};

TEST_F(EncoderTest, EligibleRefusedNotInEffect) {
  d.programs[0] = R{.outcome = Outcome::eligible, .amount = 1000000};
  d.programs[1] = R{.outcome = Outcome::refused, .failed = 0b11};
  d.programs[2] = R{.outcome = Outcome::not_in_effect};
  d.total = 1000000;
  EXPECT_EQ(encode("A1"),
            R"j({"id":"A1","as_of":"2022-06-01","programs":{)j"
            R"j("R01":{"outcome":"eligible","eligible":true,"amount_fen":1000000,"amount":"10000.00"},)j"
            R"j("R02":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00","reasons":[)j"
            R"j({"requirement":"above_scale","clause":"实施细则 一(三)2"},{"requirement":"no_clause"}]},)j"
            R"j("R03":{"outcome":"not_in_effect","eligible":false,"amount_fen":0,"amount":"0.00"}},)j"
            R"j("total_fen":1000000,"total":"10000.00","total_before_caps_fen":0,"total_before_caps":"0.00",)j"
            R"j("capped":false,"caps":[],"illustrative":false,"errors":[]})j"
            "\n");
}

TEST_F(EncoderTest, SelectionAndNullId) {
  d.programs[1] = R{.outcome = Outcome::refused, .failed = 0b01};
  eval::Selection sel = {0, 1, 0};
  EXPECT_EQ(encode("", nullptr, false, &sel),
            R"j({"id":null,"as_of":"2022-06-01","programs":{)j"
            R"j("R02":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00","reasons":[)j"
            R"j({"requirement":"above_scale","clause":"实施细则 一(三)2"}]}},)j"
            R"j("total_fen":0,"total":"0.00","total_before_caps_fen":0,"total_before_caps":"0.00",)j"
            R"j("capped":false,"caps":[],"illustrative":false,"errors":[]})j"
            "\n");
  eval::Selection none = {0, 0, 0};
  EXPECT_EQ(encode("x\"y\\z\x01\n", nullptr, false, &none),
            R"j({"id":"x\"y\\z\u0001\n","as_of":"2022-06-01","programs":{},)j"
            R"j("total_fen":0,"total":"0.00","total_before_caps_fen":0,"total_before_caps":"0.00",)j"
            R"j("capped":false,"caps":[],"illustrative":false,"errors":[]})j"
            "\n");
}

TEST_F(EncoderTest, ExceptionGroupIllustrativeError) {
  d.programs[0] = R{.outcome = Outcome::eligible, .amount = 30000, .limited_by = 0, .illustrative = true};
  d.programs[1] = R{.outcome = Outcome::refused, .limited_by = 0};
  d.programs[2] = R{.outcome = Outcome::error, .error_node = 7};
  d.total = 30000;
  d.illustrative = true;
  d.errors = true;
  EXPECT_EQ(encode("G"),
            R"j({"id":"G","as_of":"2022-06-01","programs":{)j"
            R"j("R01":{"outcome":"eligible","eligible":true,"amount_fen":30000,"amount":"300.00","limited_by":"rd_shared","illustrative":true},)j"
            R"j("R02":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00","reasons":[{"group":"rd_shared","clause":"实施细则 一(三)2"}]},)j"
            R"j("R03":{"outcome":"error","eligible":false,"amount_fen":0,"amount":"0.00","error":"计算出错"}},)j"
            R"j("total_fen":30000,"total":"300.00","total_before_caps_fen":0,"total_before_caps":"0.00",)j"
            R"j("capped":false,"caps":[],"illustrative":true,"errors":["R03"]})j"
            "\n");

  // A refusing exception overrides the requirement reasons.
  d.programs[0] = R{.outcome = Outcome::refused, .failed = 0b01, .refused_by = 0, .exceptions = 0b01};
  d.programs[1] = R{.outcome = Outcome::refused, .failed = 0b10};
  d.programs[2] = R{.outcome = Outcome::eligible, .amount = -5};
  d.total = -5;
  d.capped = true;
  d.illustrative = false;
  d.errors = false;
  EXPECT_EQ(encode("E"),
            R"j({"id":"E","as_of":"2022-06-01","programs":{)j"
            R"j("R01":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00","reasons":[{"exception":"dishonest_list","clause":"实施细则 一(一)"}]},)j"
            R"j("R02":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00","reasons":[{"requirement":"no_clause"}]},)j"
            R"j("R03":{"outcome":"eligible","eligible":true,"amount_fen":-5,"amount":"-0.05"}},)j"
            R"j("total_fen":-5,"total":"-0.05","total_before_caps_fen":0,"total_before_caps":"0.00",)j"
            R"j("capped":true,"caps":[],"illustrative":false,"errors":[]})j"
            "\n");
}

TEST_F(EncoderTest, ErrorKindWithoutExplanation) {
  d.programs[2] = R{.outcome = Outcome::error, .error_kind = 1};
  d.errors = true;
  eval::Selection sel = {0, 0, 1};
  EXPECT_EQ(encode("K", nullptr, false, &sel),
            R"j({"id":"K","as_of":"2022-06-01","programs":{)j"
            R"j("R03":{"outcome":"error","eligible":false,"amount_fen":0,"amount":"0.00",)j"
            R"j("error":"金额溢出：合计超出精确金额的范围","error_kind":"overflow"}},)j"
            R"j("total_fen":0,"total":"0.00","total_before_caps_fen":0,"total_before_caps":"0.00",)j"
            R"j("capped":false,"caps":[],"illustrative":false,"errors":["R03"]})j"
            "\n");
}

TEST_F(EncoderTest, WithExplanation) {
  d.programs[0] = R{.outcome = Outcome::eligible, .amount = 1200000, .exceptions = 0b10, .illustrative = true};
  d.programs[1] = R{.outcome = Outcome::refused, .failed = 0b01};
  d.programs[2] = R{.outcome = Outcome::error, .error_node = 3};
  d.total = 1000000;
  d.capped = true;
  eval::Explanation ex;
  ex.as_of = as_of;
  ex.programs.resize(3);
  auto& p0 = ex.programs[0];
  p0.requirement_met = {1, 1};
  p0.params = {{0, 0}, {1, 0}};
  p0.tables = {{0, 2}};
  using K = eval::AmountStep::Kind;
  p0.steps = {{K::Formula, 0, 1000000, 0}, {K::Exception, 1000000, 1200000, 1}, {K::GroupCap, 1200000, 1200000, 0}};
  ex.programs[1].requirement_met = {0, 1};
  ex.programs[1].tables = {{0, -1}};
  ex.programs[2].error = "amount overflow in \"rd_expense * 100\"";
  d.total_before_caps = 1200000;
  d.caps = {1};
  d.errors = true;
  EXPECT_EQ(encode("X", &ex, true),
            R"j({"id":"X","as_of":"2022-06-01","programs":{)j"
            R"j("R01":{"outcome":"eligible","eligible":true,"amount_fen":1200000,"amount":"12000.00","illustrative":true,)j"
            R"j("title":"Annual R&D-expense post-subsidy","citation":"内党发〔2020〕17号","bureau":"市科技局","source":"S2","status":"sourced",)j"
            R"j("requirements":[{"name":"registered_in_im","met":true,"clause":"实施细则 一(一)","condition":"registered"},)j"
            R"j({"name":"claimed_deduction","met":true,"clause":"实施细则 一(三)1","condition":"rd_expense > 0元"}],)j"
            R"j("parameters":[{"name":"rd_post_rate","value":"0.01","valid_from":"2021-01-01","status":"sourced","source":"S2 实施细则 一(三)1"},)j"
            R"j({"name":"rd_cap","value":"500000.00","valid_from":"2021-01-01","status":"illustrative","source":"illustrative draft"}],)j"
            R"j("tables":[{"name":"platform_award","row":2}],)j"
            R"j("steps":[{"kind":"formula","before_fen":0,"after_fen":1000000},{"kind":"exception","before_fen":1000000,"after_fen":1200000,"ref":"sme_bonus"},)j"
            R"j({"kind":"group_cap","before_fen":1200000,"after_fen":1200000,"ref":"rd_shared"}]},)j"
            R"j("R02":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00",)j"
            R"j("reasons":[{"requirement":"above_scale","clause":"实施细则 一(三)2","text":"not above scale"}],)j"
            R"j("title":"Above-scale R&D subsidy","citation":"实施细则 一(三)2","bureau":"市科技局","source":"S2","status":"illustrative",)j"
            R"j("requirements":[{"name":"above_scale","met":false,"clause":"实施细则 一(三)2","condition":"employees >= 50"},{"name":"no_clause","met":true}],)j"
            R"j("parameters":[],"tables":[{"name":"platform_award","row":null}],"steps":[]},)j"
            R"j("R03":{"outcome":"error","eligible":false,"amount_fen":0,"amount":"0.00","error":"amount overflow in \"rd_expense * 100\"",)j"
            R"j("title":"HNTE award","citation":"","bureau":"","source":"","status":"unspecified",)j"
            R"j("requirements":[],"parameters":[],"tables":[],"steps":[]}},)j"
            R"j("total_fen":1000000,"total":"10000.00","total_before_caps_fen":1200000,"total_before_caps":"12000.00",)j"
            R"j("capped":true,"caps":["per_applicant"],"illustrative":false,"errors":["R03"]})j"
            "\n");

  // Chinese texts; exception reason text; a label with a quote is escaped.
  d.programs[0] = R{.outcome = Outcome::refused, .refused_by = 0, .exceptions = 0b01};
  d.caps.clear();
  eval::Selection sel = {1, 0, 0};
  EXPECT_EQ(encode("X", &ex, false, &sel),
            R"j({"id":"X","as_of":"2022-06-01","programs":{)j"
            R"j("R01":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00",)j"
            R"j("reasons":[{"exception":"dishonest_list","clause":"实施细则 一(一)","text":"列入严重失信名录"}],)j"
            R"j("title":"企业年度研发费用后补助","citation":"内党发〔2020〕17号","bureau":"市科技局","source":"S2","status":"sourced",)j"
            R"j("requirements":[{"name":"registered_in_im","met":true,"clause":"实施细则 一(一)","condition":"registered"},)j"
            R"j({"name":"claimed_deduction","met":true,"clause":"实施细则 一(三)1","condition":"rd_expense > 0元"}],)j"
            R"j("parameters":[{"name":"rd_post_rate","value":"0.01","valid_from":"2021-01-01","status":"sourced","source":"S2 实施细则 一(三)1"},)j"
            R"j({"name":"rd_cap","value":"500000.00","valid_from":"2021-01-01","status":"illustrative","source":"illustrative draft"}],)j"
            R"j("tables":[{"name":"platform_award","row":2}],)j"
            R"j("steps":[{"kind":"formula","before_fen":0,"after_fen":1000000},{"kind":"exception","before_fen":1000000,"after_fen":1200000,"ref":"sme_bonus"},)j"
            R"j({"kind":"group_cap","before_fen":1200000,"after_fen":1200000,"ref":"rd_shared"}]}},)j"
            R"j("total_fen":1000000,"total":"10000.00","total_before_caps_fen":1200000,"total_before_caps":"12000.00",)j"
            R"j("capped":true,"caps":[],"illustrative":false,"errors":[]})j"
            "\n");

  d.programs[0] = R{.outcome = Outcome::refused, .failed = 0b10};
  std::string out;
  enc.append_json(out, "Y", d, as_of, &ex, true, &sel);
  EXPECT_NE(out.find(R"j({"requirement":"claimed_deduction","clause":"实施细则 一(三)1","text":"did not claim the \"super\" deduction"})j"),
            std::string::npos)
      << out;
}

TEST_F(EncoderTest, DatesAcrossRange) {
  for (const char* s : {"1970-01-01", "1969-12-31", "2000-02-29", "2024-12-31", "0001-01-01", "9999-12-31"}) {
    as_of = *model::parse_date(s);
    std::string out = encode("d");
    EXPECT_NE(out.find(std::string("\"as_of\":\"") + s + "\""), std::string::npos) << out;
  }
}

TEST_F(EncoderTest, AppendsWithoutTouchingExistingContent) {
  std::string out = "prefix\n";
  enc.append_json(out, "A", d, as_of, nullptr, false, nullptr);
  DecodeError err{"wrong_type", "employees", "expected integer, got string"};
  DecisionEncoder::append_error(out, 12, "A7", err);
  DecisionEncoder::append_error(out, 13, "", DecodeError{"malformed_json", "", "TAPE_ERROR: \"bad\"\t"});
  EXPECT_EQ(out.substr(0, 7), "prefix\n");
  auto rest = out.substr(out.find('\n', 7) + 1);
  EXPECT_EQ(rest,
            R"j({"line":12,"id":"A7","error":{"code":"wrong_type","field":"employees","message":"expected integer, got string"}})j"
            "\n"
            R"j({"line":13,"id":null,"error":{"code":"malformed_json","field":null,"message":"TAPE_ERROR: \"bad\"\t"}})j"
            "\n");
}

TEST(Escape, ControlCharactersAndUtf8) {
  std::string out;
  append_escaped(out, std::string_view("a\0" "b\x1f\b\f\r\t\"\\中\x7f", 14));
  EXPECT_EQ(out, "a\\u0000b\\u001f\\b\\f\\r\\t\\\"\\\\中\x7f");
}

}  // namespace
}  // namespace subsidy::json
