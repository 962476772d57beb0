#pragma once
// A small Ruleset built by hand for the JSON adapter tests.
#include "eval/ruleset.hpp"

namespace subsidy::json::testing {

inline eval::Ruleset make_ruleset() {
  using model::Kind;
  using model::Type;
  eval::Ruleset rs;
  auto& s = rs.schema;
  s.enums.push_back(model::EnumDef{"OrgType",
                                   {"单位类型", "organisation type"},
                                   {{"enterprise", {"企业", "enterprise"}},
                                    {"university", {"高校", "university"}},
                                    {"institute", {"科研院所", "research institute"}}}});
  auto fact = [&](std::string name, Type t) {
    auto slot = static_cast<std::uint32_t>(s.facts.size());
    s.facts.push_back(model::FactDef{name, t, {name, name}, slot});
    s.fact_index.emplace(name, slot);
  };
  auto opt = [](Type t) {
    t.optional = true;
    return t;
  };
  fact("org_type", Type::enumeration(0));             // 0
  fact("registered", Type::of(Kind::Bool));           // 1
  fact("employees", Type::of(Kind::Int));             // 2
  fact("rd_expense", Type::of(Kind::Money));          // 3
  fact("rd_ratio", Type::of(Kind::Decimal));          // 4
  fact("founded", Type::of(Kind::Date));              // 5
  fact("name", Type::of(Kind::Text));                 // 6
  fact("prior_awards", Type::of(Kind::TextSet));      // 7
  fact("cert_date", opt(Type::of(Kind::Date)));       // 8
  fact("partners", Type{Kind::EnumSet, 0, false});    // 9
  fact("note", opt(Type::of(Kind::Text)));            // 10
  fact("unused", Type::of(Kind::Int));                // 11: read by no programme → never required
  fact("bonus", opt(Type::of(Kind::Money)));          // 12

  eval::Program r01;
  r01.id = "R01";
  r01.title = {"企业年度研发费用后补助", "Annual R&D-expense post-subsidy"};
  r01.bureau = "市科技局";
  r01.citation = "内党发〔2020〕17号";
  r01.source = "S2";
  r01.status = eval::Status::sourced;
  r01.requirements.push_back(eval::Requirement{"registered_in_im", eval::kNoNode,
                                               {"未在自治区境内注册", "not registered in Inner Mongolia"},
                                               "实施细则 一(一)", "registered", {}});
  r01.requirements.push_back(eval::Requirement{"claimed_deduction", eval::kNoNode,
                                               {"未享受研发费用加计扣除", "did not claim the \"super\" deduction"},
                                               "实施细则 一(三)1", "rd_expense > 0元", {}});
  r01.facts_used = {0, 1, 3, 5, 8, 12};
  eval::Program r02;
  r02.id = "R02";
  r02.title = {"规上企业研发补助", "Above-scale R&D subsidy"};
  r02.bureau = "市科技局";
  r02.citation = "实施细则 一(三)2";
  r02.source = "S2";
  r02.status = eval::Status::illustrative;
  r02.requirements.push_back(eval::Requirement{"above_scale", eval::kNoNode, {"非规上企业", "not above scale"},
                                               "实施细则 一(三)2", "employees >= 50", {}});
  r02.requirements.push_back(
      eval::Requirement{"no_clause", eval::kNoNode, {"理由", "reason"}, "", "", {}});
  r02.facts_used = {2, 4, 6, 7, 9, 10};
  eval::Program r03;
  r03.id = "R03";
  r03.title = {"高企奖励", "HNTE award"};
  r03.facts_used = {0};
  rs.programs = {r01, r02, r03};

  eval::Exception dishonest;
  dishonest.name = "dishonest_list";
  dishonest.label = {"严重失信主体", "serious-dishonesty list"};
  dishonest.refuses = true;
  dishonest.reason = {"列入严重失信名录", "on the dishonesty list"};
  dishonest.citation = "实施细则 一(一)";
  eval::Exception bonus;
  bonus.name = "sme_bonus";
  bonus.label = {"科技型中小企业加成", "tech-SME bonus"};
  rs.exceptions = {dishonest, bonus};

  eval::Group g;
  g.name = "rd_shared";
  g.label = {"研发后补助合计", "combined R&D post-subsidies"};
  g.programs = {0, 1};
  g.citation = "实施细则 一(三)2";
  eval::Group total;
  total.name = "per_applicant";
  total.label = {"单个申请人合计上限", "per-applicant total"};
  rs.groups = {g, total};

  eval::Param rate;
  rate.name = "rd_post_rate";
  rate.type = Type::of(Kind::Decimal);
  rate.values.push_back(eval::ParamValue{18628, 10000, "S2 实施细则 一(三)1", eval::Status::sourced, {}});  // 2021-01-01, 1%
  eval::Param cap;
  cap.name = "rd_cap";
  cap.type = Type::of(Kind::Money);
  cap.values.push_back(eval::ParamValue{18628, 500'000'00, "illustrative draft", eval::Status::illustrative, {}});
  rs.params = {rate, cap};

  eval::Table t;
  t.name = "platform_award";
  rs.tables = {t};
  return rs;
}

}  // namespace subsidy::json::testing
