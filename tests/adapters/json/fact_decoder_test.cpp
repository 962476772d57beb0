#include "json/fact_decoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "model/date.hpp"
#include "test_ruleset.hpp"

namespace subsidy::json {
namespace {

// Every required fact (R01 + R02), valid.
const std::string kBase =
    R"("org_type":"enterprise","registered":true,"employees":120,"rd_expense":1000000,"rd_ratio":0.05,)"
    R"("founded":"2015-03-01","name":"北方稀土","prior_awards":["R03"],"partners":["university"])";

class DecoderTest : public ::testing::Test {
 protected:
  eval::Ruleset rs = testing::make_ruleset();
  FactDecoder dec{rs};
  model::Facts facts;
  DecodeError err;
  std::string id;

  bool decode(const std::string& json) { return dec.decode(json, facts, err, id); }
  // kBase with `extra` appended ("," inserted).
  bool decode_with(const std::string& extra) { return decode("{" + kBase + (extra.empty() ? "" : "," + extra) + "}"); }
  void expect_error(const std::string& json, const char* code, const char* field) {
    EXPECT_FALSE(decode(json)) << json;
    EXPECT_EQ(err.code, code) << json << " → " << err.message;
    EXPECT_EQ(err.field, field) << json << " → " << err.message;
  }
  void expect_error_with(const std::string& extra, const char* code, const char* field) {
    expect_error("{" + kBase + "," + extra + "}", code, field);
  }
};

TEST_F(DecoderTest, RequiredSlotsAreUnionOfFactsUsedMinusOptional) {
  EXPECT_EQ(dec.required_slots(), (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 9}));
  eval::Selection only_r01 = {1, 0, 0};
  FactDecoder d1(rs, {&only_r01});
  EXPECT_EQ(d1.required_slots(), (std::vector<std::uint32_t>{0, 1, 3, 5}));
  eval::Selection empty;
  FactDecoder d2(rs, {&empty});
  EXPECT_EQ(d2.required_slots(), dec.required_slots());
  EXPECT_EQ(dec.slot_count(), 13u);
}

TEST_F(DecoderTest, DecodesEveryType) {
  ASSERT_TRUE(decode(R"({"id":"A1",)" + kBase +
                     R"(,"cert_date":"2020-02-29","note":"备注\n\u4e2d","bonus":"12.34","unused":-7})"))
      << err.message;
  EXPECT_EQ(id, "A1");
  EXPECT_EQ(facts.values.size(), 13u);
  EXPECT_EQ(facts.values[0], 0);
  EXPECT_EQ(facts.values[1], 1);
  EXPECT_EQ(facts.values[2], 120);
  EXPECT_EQ(facts.values[3], 100000000);  // 1,000,000 元 in 分
  EXPECT_EQ(facts.values[4], 50000);      // 0.05 × 10^6
  EXPECT_EQ(facts.values[5], *model::parse_date("2015-03-01"));
  EXPECT_EQ(facts.texts[6], "北方稀土");
  EXPECT_EQ(facts.sets[7], (std::vector<std::string>{"R03"}));
  EXPECT_EQ(facts.values[8], *model::parse_date("2020-02-29"));
  EXPECT_EQ(facts.enum_sets[9], 0b010u);
  EXPECT_EQ(facts.texts[10], "备注\n中");
  EXPECT_EQ(facts.values[11], -7);
  EXPECT_EQ(facts.values[12], 1234);
  for (std::size_t i = 0; i < 13; ++i) EXPECT_EQ(facts.present[i], 1) << i;
}

TEST_F(DecoderTest, OptionalFactsMayBeNullOrAbsent) {
  ASSERT_TRUE(decode_with(R"("cert_date":null,"bonus":null)")) << err.message;
  EXPECT_EQ(facts.present[8], 0);
  EXPECT_EQ(facts.present[12], 0);
  EXPECT_EQ(facts.present[10], 0);
  EXPECT_EQ(id, "");
  ASSERT_TRUE(decode_with(R"("id":null)")) << err.message;
  EXPECT_EQ(id, "");
}

TEST_F(DecoderTest, NullForRequiredFactIsWrongType) {
  expect_error(R"({"org_type":null})", "wrong_type", "org_type");
  expect_error_with(R"("unused":null)", "wrong_type", "unused");
}

TEST_F(DecoderTest, MoneyRules) {
  ASSERT_TRUE(decode_with(R"("bonus":"12.34")"));
  EXPECT_EQ(facts.values[12], 1234);
  ASSERT_TRUE(decode_with(R"("bonus":"12.3")"));
  EXPECT_EQ(facts.values[12], 1230);
  ASSERT_TRUE(decode_with(R"("bonus":"-0.05")"));
  EXPECT_EQ(facts.values[12], -5);
  ASSERT_TRUE(decode_with(R"("bonus":12)"));
  EXPECT_EQ(facts.values[12], 1200);
  ASSERT_TRUE(decode_with(R"("bonus":92233720368547758)"));
  EXPECT_EQ(facts.values[12], 9223372036854775800);
  expect_error_with(R"("bonus":"12.345")", "bad_number", "bonus");
  EXPECT_NE(err.message.find("more than 2 decimals"), std::string::npos) << err.message;
  expect_error_with(R"("bonus":12.5)", "wrong_type", "bonus");
  EXPECT_NE(err.message.find("as a string"), std::string::npos) << err.message;
  expect_error_with(R"("bonus":1e3)", "wrong_type", "bonus");
  expect_error_with(R"("bonus":9223372036854775807)", "out_of_range", "bonus");
  expect_error_with(R"("bonus":99999999999999999999999)", "out_of_range", "bonus");
  expect_error_with(R"("bonus":"92233720368547758.08")", "out_of_range", "bonus");
  expect_error_with(R"("bonus":"12,5")", "bad_number", "bonus");
  expect_error_with(R"("bonus":"1 元")", "bad_number", "bonus");
  expect_error_with(R"("bonus":".5")", "bad_number", "bonus");
  expect_error_with(R"("bonus":true)", "wrong_type", "bonus");
  expect_error_with(R"("bonus":["1"])", "wrong_type", "bonus");
}

TEST_F(DecoderTest, IntRules) {
  expect_error(R"({"employees":1.5})", "wrong_type", "employees");
  EXPECT_EQ(err.message, "expected integer, got number 1.5");
  expect_error(R"({"employees":"12"})", "wrong_type", "employees");
  EXPECT_EQ(err.message, "expected integer, got string");
  expect_error(R"({"employees":1e2})", "wrong_type", "employees");
  expect_error(R"({"employees":9223372036854775808})", "out_of_range", "employees");
  ASSERT_TRUE(decode_with(R"("unused":-9223372036854775808)")) << err.message;
  EXPECT_EQ(facts.values[11], INT64_MIN);
  expect_error(R"({"employees":012})", "malformed_json", "employees");
}

TEST_F(DecoderTest, DecimalRules) {
  auto ratio = [&](const std::string& v) {
    std::string json = "{" + kBase + "}";
    json.replace(json.find("0.05"), 4, v);
    EXPECT_TRUE(decode(json)) << v << ": " << err.message;
    return facts.values[4];
  };
  EXPECT_EQ(ratio("0.125"), 125000);
  EXPECT_EQ(ratio("\"0.125\""), 125000);
  EXPECT_EQ(ratio("\"12.5%\""), 125000);
  EXPECT_EQ(ratio("1"), 1000000);
  EXPECT_EQ(ratio("-2.5"), -2500000);
  EXPECT_EQ(ratio("1.5e-3"), 1500);
  EXPECT_EQ(ratio("1E2"), 100000000);
  EXPECT_EQ(ratio("0.1000000000"), 100000);  // trailing zeros are exact
  EXPECT_EQ(ratio("0.000001"), 1);
  EXPECT_EQ(ratio("0e99999999999"), 0);
  std::string json = "{" + kBase + "}";
  auto bad = [&](const std::string& v, const char* code) {
    std::string j = json;
    j.replace(j.find("0.05"), 4, v);
    expect_error(j, code, "rd_ratio");
  };
  bad("0.0000001", "bad_number");
  bad("\"0.1234567%\"", "bad_number");
  bad("\"abc\"", "bad_number");
  bad("\"0.5 \"", "bad_number");
  bad("1e20", "out_of_range");
  bad("true", "wrong_type");
  bad("[1]", "wrong_type");
}

TEST_F(DecoderTest, DateRules) {
  expect_error(R"({"founded":"2021-02-29"})", "bad_date", "founded");
  expect_error(R"({"founded":"2021-2-3"})", "bad_date", "founded");
  expect_error(R"({"founded":20210203})", "wrong_type", "founded");
  EXPECT_EQ(err.message, "expected date (a string \"YYYY-MM-DD\"), got number 20210203");
}

TEST_F(DecoderTest, BoolTextEnumSetRules) {
  expect_error(R"({"registered":1})", "wrong_type", "registered");
  EXPECT_EQ(err.message, "expected boolean, got number 1");
  expect_error(R"({"registered":"true"})", "wrong_type", "registered");
  expect_error(R"({"name":5})", "wrong_type", "name");
  expect_error(R"({"org_type":"company"})", "bad_enum", "org_type");
  EXPECT_EQ(err.message, "\"company\" is not a value of OrgType; allowed: enterprise, university, institute");
  expect_error(R"({"org_type":0})", "wrong_type", "org_type");
  expect_error(R"({"prior_awards":"R03"})", "wrong_type", "prior_awards");
  expect_error(R"({"prior_awards":["R03",3]})", "wrong_type", "prior_awards");
  expect_error(R"({"partners":["university","nope"]})", "bad_enum", "partners");
  expect_error(R"({"partners":[1]})", "wrong_type", "partners");
  std::string j = "{" + kBase + "}";
  j.replace(j.find(R"(["university"])"), 14, R"(["institute","enterprise","institute"])");
  ASSERT_TRUE(decode(j)) << err.message;
  EXPECT_EQ(facts.enum_sets[9], 0b101u);
  j = "{" + kBase + "}";
  j.replace(j.find(R"(["R03"])"), 7, R"(["R03","R01","R03"])");
  ASSERT_TRUE(decode(j)) << err.message;
  EXPECT_EQ(facts.sets[7], (std::vector<std::string>{"R03", "R01"}));  // duplicates collapse
}

TEST_F(DecoderTest, StructureErrors) {
  expect_error(R"({"id":"A1","bogus":1})", "unknown_field", "bogus");
  EXPECT_EQ(id, "A1");
  expect_error(R"({"employees":1,"employees":2})", "duplicate_field", "employees");
  expect_error(R"({"id":"a","id":"b"})", "duplicate_field", "id");
  expect_error(R"({"id":7})", "wrong_type", "id");
  expect_error(R"([1,2])", "wrong_type", "");
  expect_error(R"("x")", "wrong_type", "");
  expect_error(R"({"employees":1,)", "malformed_json", "");
  expect_error(R"({"employees" 1})", "malformed_json", "");
  expect_error(R"({"registered":tru})", "malformed_json", "registered");
  expect_error(R"({} {})", "malformed_json", "");
  expect_error("", "malformed_json", "");
  expect_error("{\"name\":\"\xff\"}", "malformed_json", "");
}

TEST_F(DecoderTest, IdIsFoundAfterAnError) {
  expect_error(R"({"employees":"x","id":"late"})", "wrong_type", "employees");
  EXPECT_EQ(id, "late");
  expect_error(R"({"bogus":{"a":[1,2]},"id":"A9"})", "unknown_field", "bogus");
  EXPECT_EQ(id, "A9");
}

TEST_F(DecoderTest, MissingField) {
  expect_error(R"({"id":"A2","org_type":"enterprise","employees":3})", "missing_field", "registered");
  EXPECT_EQ(err.message, "missing required field \"registered\" (7 required fields are missing)");
  EXPECT_EQ(id, "A2");
  std::string j = "{" + kBase + "}";
  j.replace(j.find(R"("name":"北方稀土",)"), std::string(R"("name":"北方稀土",)").size(), "");
  expect_error(j, "missing_field", "name");
  EXPECT_EQ(err.message, "missing required field \"name\"");
  // Facts not read by the selected programmes are not required.
  eval::Selection only_r01 = {1, 0, 0};
  FactDecoder d1(rs, {&only_r01});
  EXPECT_TRUE(d1.decode(R"({"org_type":"enterprise","registered":false,"rd_expense":"0","founded":"2020-01-01"})",
                        facts, err, id))
      << err.message;
}

TEST_F(DecoderTest, ReusesFactsAcrossRecords) {
  ASSERT_TRUE(decode_with(R"("note":"a rather long note that does not fit in SSO","bonus":5,"cert_date":"2020-01-01")"));
  EXPECT_EQ(facts.present[12], 1);
  const auto* values = facts.values.data();
  const auto* note = facts.texts[10].data();
  std::string j = "{" + kBase + "}";
  j.replace(j.find(R"(["R03"])"), 7, R"(["R01","R02"])");
  ASSERT_TRUE(decode(j));
  ASSERT_TRUE(decode("{" + kBase + "}"));
  EXPECT_EQ(facts.values.data(), values);
  EXPECT_EQ(facts.texts[10].data(), note);  // capacity kept
  EXPECT_EQ(facts.texts[10], "");
  EXPECT_EQ(facts.present[10], 0);
  EXPECT_EQ(facts.present[12], 0);
  EXPECT_EQ(facts.values[12], 0);
  EXPECT_EQ(facts.present[8], 0);
  EXPECT_EQ(facts.sets[7], (std::vector<std::string>{"R03"}));
  // A failed record leaves the next one unaffected.
  expect_error(R"({"prior_awards":["X","Y","Z"],"bogus":1})", "unknown_field", "bogus");
  ASSERT_TRUE(decode("{" + kBase + "}"));
  EXPECT_EQ(facts.sets[7], (std::vector<std::string>{"R03"}));
  EXPECT_EQ(facts.values[2], 120);
}

TEST_F(DecoderTest, InPlaceDecodingWithPadding) {
  std::string buf = "{" + kBase + "}\n{\"id\":\"B\"}";
  buf.append(FactDecoder::kPadding, ' ');
  std::string_view first(buf.data(), buf.find('\n'));
  ASSERT_TRUE(dec.decode(first, buf.size() - first.size(), facts, err, id)) << err.message;
  EXPECT_EQ(facts.values[2], 120);
}

TEST_F(DecoderTest, UnicodeEscapedKeys) {
  std::string j = "{" + kBase + "}";
  j.replace(j.find("\"name\""), 6, "\"n\\u0061me\"");
  ASSERT_TRUE(decode(j)) << err.message;
  EXPECT_EQ(facts.texts[6], "北方稀土");
}


// ---- record size, set size ----------------------------------------------------------------------

// kBase with prior_awards replaced by `awards` (a JSON array).
std::string with_awards(const std::string& awards) {
  std::string j = "{" + kBase + "}";
  j.replace(j.find(R"(["R03"])"), 7, awards);
  return j;
}

TEST_F(DecoderTest, LargeTextSetDecodesInLinearTime) {
  // 100,000 distinct elements (the limit), each listed twice: duplicates collapse, first-seen order.
  std::string a = "[";
  for (int pass = 0; pass < 2; ++pass)
    for (int i = 0; i < FactDecoder::kMaxSetElements / 2; ++i) a += (a.size() > 1 ? ",\"A" : "\"A") + std::to_string(i) + "\"";
  a += "]";
  ASSERT_TRUE(decode(with_awards(a))) << err.message;
  ASSERT_EQ(facts.sets[7].size(), FactDecoder::kMaxSetElements / 2);
  for (int i = 0; i < FactDecoder::kMaxSetElements / 2; ++i) ASSERT_EQ(facts.sets[7][i], "A" + std::to_string(i));
  // The next record is small again and unaffected by the large one.
  ASSERT_TRUE(decode(with_awards(R"(["R01","R03","R01"])"))) << err.message;
  EXPECT_EQ(facts.sets[7], (std::vector<std::string>{"R01", "R03"}));
  // Many distinct short strings whose hashes collide in small tables still dedupe exactly.
  std::string b = "[";
  for (int i = 0; i < 5000; ++i) b += (i ? ",\"" : "\"") + std::to_string(i % 1000) + "\"";
  b += "]";
  ASSERT_TRUE(decode(with_awards(b))) << err.message;
  ASSERT_EQ(facts.sets[7].size(), 1000u);
  EXPECT_EQ(facts.sets[7][999], "999");
}

TEST_F(DecoderTest, SetWithTooManyElementsIsTooLarge) {
  std::string a = "[";
  for (int i = 0; i <= FactDecoder::kMaxSetElements; ++i) a += i ? ",\"R03\"" : "\"R03\"";
  a += "]";
  expect_error(with_awards(a), "too_large", "prior_awards");
  EXPECT_EQ(err.message, "more than 100000 elements in a set (the limit)");
  std::string p = "[";
  for (int i = 0; i <= FactDecoder::kMaxSetElements; ++i) p += i ? ",\"university\"" : "\"university\"";
  p += "]";
  std::string j = "{" + kBase + "}";
  j.replace(j.find(R"(["university"])"), 14, p);
  expect_error(j, "too_large", "partners");
}

TEST_F(DecoderTest, RecordOverTheSizeLimitIsTooLarge) {
  std::string note(FactDecoder::kMaxRecordBytes, 'x');
  std::string j = R"({"id":"big",)" + kBase + R"(,"note":")" + note + "\"}";
  expect_error(j, "too_large", "");
  EXPECT_EQ(err.message, "the record is larger than the limit of 4194304 bytes (4 MiB)");
  // Just under the limit is decoded.
  note.resize(FactDecoder::kMaxRecordBytes - (j.size() - note.size()) - 1);
  ASSERT_TRUE(decode(R"({"id":"big",)" + kBase + R"(,"note":")" + note + "\"}")) << err.message;
  EXPECT_EQ(facts.texts[10].size(), note.size());
}

// ---- programme ids ------------------------------------------------------------------------------

TEST_F(DecoderTest, SetOfProgrammeIdsAcceptsOnlyProgrammeIds) {
  rs.schema.facts[7].program_ids = true;
  FactDecoder d(rs);
  ASSERT_TRUE(d.decode(with_awards(R"(["R03","R01","R03"])"), facts, err, id)) << err.message;
  EXPECT_EQ(facts.sets[7], (std::vector<std::string>{"R03", "R01"}));
  ASSERT_TRUE(d.decode(with_awards("[]"), facts, err, id)) << err.message;
  EXPECT_FALSE(d.decode(with_awards(R"(["R03","R3"])"), facts, err, id));
  EXPECT_EQ(err.code, "unknown_program");
  EXPECT_EQ(err.field, "prior_awards");
  EXPECT_EQ(err.message, "\"R3\" is not a programme id of the ruleset; programmes: R01, R02, R03");
  EXPECT_FALSE(d.decode(with_awards(R"(["r01"])"), facts, err, id));
  EXPECT_EQ(err.code, "unknown_program");
  // A set of text not marked as programme ids takes any string.
  EXPECT_TRUE(decode(with_awards(R"(["R3"])"))) << err.message;
}

// ---- JSON syntax: BOM, positions ----------------------------------------------------------------

TEST_F(DecoderTest, ByteOrderMarkIsSkipped) {
  ASSERT_TRUE(decode("\xEF\xBB\xBF{\"id\":\"B1\"," + kBase + "}")) << err.message;
  EXPECT_EQ(id, "B1");
  expect_error("\xEF\xBB\xBF{\"employees\":\"x\"}", "wrong_type", "employees");
  // Only at the start: elsewhere it is not JSON whitespace.
  expect_error("{\xEF\xBB\xBF\"id\":\"B1\"}", "malformed_json", "");
  EXPECT_EQ(err.message, "not valid JSON: unexpected byte 0xEF at column 2");
}

TEST_F(DecoderTest, TextThatIsNotJsonIsMalformedWithItsColumn) {
  expect_error("hello", "malformed_json", "");
  EXPECT_EQ(err.message, "not valid JSON: unexpected `hello` at column 1");
  EXPECT_EQ(err.offset, 0u);
  expect_error("nope", "malformed_json", "");
  expect_error("tru", "malformed_json", "");
  // Truncated: the unknown or mistyped field inside is not what is wrong with it.
  expect_error(R"({"a":1)", "malformed_json", "");
  EXPECT_EQ(err.message, "not valid JSON: unexpected end of the record at column 7");
  expect_error(R"({"employees":"x")", "malformed_json", "");
  expect_error(R"({"id":"T","org_type":"enterprise","bogus":1)", "malformed_json", "");
  expect_error(R"({"employees":1 "name":"x"})", "malformed_json", "");
  EXPECT_EQ(err.message, "not valid JSON: unexpected character '\"' at column 16");
  EXPECT_EQ(err.offset, 15u);
  expect_error(R"({"registered":tru})", "malformed_json", "registered");
  EXPECT_EQ(err.message, "not valid JSON: unexpected `tru` at column 15");
  expect_error(R"({"employees":nul})", "malformed_json", "employees");
  // Columns count characters, not bytes.
  expect_error(R"({"name":"北方稀土" x})", "malformed_json", "");
  EXPECT_EQ(err.message, "not valid JSON: unexpected `x` at column 16");
  // Content after the object.
  expect_error(R"({"employees":1} {})", "malformed_json", "");
  EXPECT_EQ(err.message, "trailing content after the JSON object at column 17");
  // A record over several lines (a pretty-printed object): line and column within the record.
  expect_error("{\n  \"employees\": 1,\n  \"registered\": tru\n}", "malformed_json", "registered");
  EXPECT_EQ(err.message, "not valid JSON: unexpected `tru` at line 3, column 17");
  expect_error("{\r  \"employees\": 1,\r\n  \"registered\": tru\r}", "malformed_json", "registered");
  EXPECT_EQ(err.message, "not valid JSON: unexpected `tru` at line 3, column 17");  // \r and \r\n end lines too
  // Valid JSON that is not an object stays wrong_type.
  expect_error("null", "wrong_type", "");
  expect_error("[1]", "wrong_type", "");
  expect_error("  \"x\"  ", "wrong_type", "");
}

}  // namespace
}  // namespace subsidy::json
