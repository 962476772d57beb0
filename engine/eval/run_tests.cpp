#include "eval/run_tests.hpp"

#include <algorithm>
#include <set>

#include "eval/evaluate.hpp"
#include "model/money.hpp"

namespace subsidy::eval {

namespace {

std::string describe(const Ruleset& rs, std::size_t pi, const model::Decision& d) {
  const auto& r = d.programs[pi];
  const auto& p = rs.programs[pi];
  std::string s = model::outcome_name(r.outcome);
  if (r.outcome == model::Outcome::eligible) s += " amount " + model::format_money_human(r.amount);
  if (r.outcome == model::Outcome::refused) {
    std::vector<std::string> why;
    for (std::size_t i = 0; i < p.requirements.size(); ++i)
      if (r.failed >> i & 1) why.push_back(p.requirements[i].name);
    if (r.refused_by >= 0) why.push_back(rs.exceptions[static_cast<std::size_t>(r.refused_by)].name);
    if (r.limited_by >= 0) why.push_back(rs.groups[static_cast<std::size_t>(r.limited_by)].name);
    if (!why.empty()) {
      s += " because ";
      for (std::size_t i = 0; i < why.size(); ++i) s += (i ? ", " : "") + why[i];
    }
  }
  if (r.outcome == model::Outcome::capped && r.limited_by >= 0) s += " by " + rs.groups[static_cast<std::size_t>(r.limited_by)].name;
  if (r.outcome == model::Outcome::error) s += ": " + error_message(rs, r);
  return s;
}

// The names that caused a refusal: the refusing exception alone if any, else failed requirements,
// else the group that removed the amount.
std::vector<std::string> causes(const Ruleset& rs, std::size_t pi, const model::ProgramResult& r) {
  std::vector<std::string> out;
  if (r.refused_by >= 0) return {rs.exceptions[static_cast<std::size_t>(r.refused_by)].name};
  for (std::size_t i = 0; i < rs.programs[pi].requirements.size(); ++i)
    if (r.failed >> i & 1) out.push_back(rs.programs[pi].requirements[i].name);
  if (out.empty() && r.limited_by >= 0) out.push_back(rs.groups[static_cast<std::size_t>(r.limited_by)].name);
  return out;
}

}  // namespace

TestReport run_tests(const Ruleset& rs, Days default_as_of) {
  TestReport rep;
  std::vector<std::uint8_t> program_seen(rs.programs.size(), 0);
  std::vector<std::vector<std::uint8_t>> req_seen(rs.programs.size());
  for (std::size_t p = 0; p < rs.programs.size(); ++p) req_seen[p].assign(rs.programs[p].requirements.size(), 0);

  model::Facts facts(rs.schema.facts.size());
  model::Decision d;
  for (std::size_t ti = 0; ti < rs.tests.size(); ++ti) {
    const Test& t = rs.tests[ti];
    facts.clear();
    for (const auto& f : rs.schema.facts)
      if (!f.type.optional) facts.present[f.slot] = 1;
    for (const auto& g : t.given) {
      facts.present[g.slot] = 1;
      facts.values[g.slot] = g.value;
      facts.texts[g.slot] = g.text;
      facts.sets[g.slot] = g.texts;
      facts.enum_sets[g.slot] = g.enum_mask;
    }
    evaluate(rs, facts, t.has_as_of ? t.as_of : default_as_of, d);
    bool ok = true;
    for (const auto& x : t.expects) {
      std::string expected, actual;
      bool pass = true;
      using K = TestExpect::Kind;
      if (x.program >= 0) {
        auto pi = static_cast<std::size_t>(x.program);
        const auto& r = d.programs[pi];
        program_seen[pi] = 1;
        for (std::size_t i = 0; i < rs.programs[pi].requirements.size(); ++i)
          if (r.failed >> i & 1) req_seen[pi][i] = 1;
        actual = describe(rs, pi, d);
        const std::string& id = rs.programs[pi].id;
        if (x.kind == K::Eligible) {
          expected = "eligible" + (x.has_amount ? " amount " + model::format_money_human(x.amount) : std::string());
          pass = r.outcome == model::Outcome::eligible && (!x.has_amount || r.amount == x.amount);
        } else if (x.kind == K::Refused) {
          expected = "refused";
          pass = r.outcome == model::Outcome::refused;
          if (!x.because.empty()) {
            expected += " because ";
            for (std::size_t i = 0; i < x.because.size(); ++i) expected += (i ? ", " : "") + x.because[i];
            auto want = std::set<std::string>(x.because.begin(), x.because.end());
            auto got = causes(rs, pi, r);
            pass = pass && want == std::set<std::string>(got.begin(), got.end());
          }
        } else if (x.kind == K::ProgramCapped) {
          expected = "capped";
          pass = r.outcome == model::Outcome::capped;
          if (!x.because.empty()) {
            expected += " by " + x.because[0];
            pass = pass && r.limited_by >= 0 && rs.groups[static_cast<std::size_t>(r.limited_by)].name == x.because[0];
          }
        } else {
          expected = "not_in_effect";
          pass = r.outcome == model::Outcome::not_in_effect;
        }
        expected = id + " " + expected;
        actual = id + " " + actual;
      } else if (x.kind == K::Total) {
        expected = "total " + model::format_money_human(x.amount);
        actual = "total " + model::format_money_human(d.total);
        pass = d.total == x.amount;
      } else {
        bool want = x.kind == K::Capped;
        expected = want ? "capped" : "not capped";
        actual = d.capped ? "capped" : "not capped";
        pass = d.capped == want;
      }
      if (!pass) {
        ok = false;
        rep.failures.push_back({ti, x.span, expected, actual});
      }
    }
    ok ? ++rep.passed : ++rep.failed;
  }
  for (std::size_t p = 0; p < rs.programs.size(); ++p) {
    if (!program_seen[p]) rep.uncovered_programs.push_back(p);
    for (std::size_t i = 0; i < req_seen[p].size(); ++i)
      if (!req_seen[p][i]) rep.uncovered_requirements.push_back({p, i});
  }
  return rep;
}

}  // namespace subsidy::eval
