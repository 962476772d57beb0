#include "service/publish.hpp"

#include <cstdio>

#include "diag/diagnostic.hpp"
#include "service/errors.hpp"
#include "store/event.hpp"
#include "workflow/calendar.hpp"

namespace subsidy::service {

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::size_t requirement_count(const eval::Ruleset& rs) {
  std::size_t n = 0;
  for (const auto& p : rs.programs) n += p.requirements.size();
  return n;
}

// At most this many failing tests are named in the refusal (then "… and K more").
constexpr std::size_t kNamedFailures = 10;

}  // namespace

std::string test_summary(const eval::Ruleset& rs, const eval::TestReport& rep) {
  const std::size_t reqs = requirement_count(rs);
  return std::to_string(rep.passed) + " passed, " + std::to_string(rep.failed) + " failed; coverage " +
         std::to_string(rs.programs.size() - rep.uncovered_programs.size()) + "/" + std::to_string(rs.programs.size()) +
         " programmes, " + std::to_string(reqs - rep.uncovered_requirements.size()) + "/" + std::to_string(reqs) +
         " requirements";
}

PublishResult publish_rules(store::CaseRepository& repo, const PublishRequest& r) {
  if (blank(r.note))
    throw ServiceError(ErrorKind::usage, "no_note", "publishing needs a note saying why (--note)", {});
  if (blank(r.who)) throw ServiceError(ErrorKind::usage, "no_actor", "publishing needs who publishes", {});
  const CompiledRules* c = r.compiled;
  if (c == nullptr || !c->ruleset || !c->workflows || c->diags.has_errors())
    throw ServiceError(ErrorKind::rules, "rules_invalid",
                       "publishing refused: the rules do not check" + (c ? ": " + diag::summary(c->diags) : std::string()),
                       {{"errors", std::to_string(c ? c->diags.error_count() : 0)}});
  const eval::Ruleset& rs = *c->ruleset;
  PublishResult res;
  res.tests = eval::run_tests(rs, r.tests_as_of);
  if (res.tests.failed > 0) {
    std::string msg = "publishing refused: " + std::to_string(res.tests.failed) + " of " +
                      std::to_string(res.tests.passed + res.tests.failed) + " rule tests failed (" +
                      std::to_string(res.tests.failures.size()) + " expectations); nothing was stored";
    Details details{{"failed", std::to_string(res.tests.failed)}, {"passed", std::to_string(res.tests.passed)}};
    for (std::size_t i = 0; i < res.tests.failures.size() && i < kNamedFailures; ++i) {
      const auto& f = res.tests.failures[i];
      const std::string where = diag::location(f.span, c->sources);
      msg += "\n  test \"" + rs.tests[f.test].name + "\" at " + where + ": expected " + f.expected +
             ", actual " + f.actual;
      if (i == 0) {
        details.emplace_back("test", rs.tests[f.test].name);
        details.emplace_back("location", where);
      }
    }
    if (res.tests.failures.size() > kNamedFailures)
      msg += "\n  … and " + std::to_string(res.tests.failures.size() - kNamedFailures) + " more (`subsidy rules test` lists them all)";
    throw ServiceError(ErrorKind::refused, "rule_tests_failed", msg, std::move(details));
  }
  store::RulesetSources sources;
  sources.hash = rs.hash;
  sources.files = r.files;
  if (auto latest = repo.published_ruleset(); latest && latest->ruleset_hash == rs.hash && latest->calendar_text == r.calendar_text) {
    res.published = *latest;
    res.unchanged = true;
    return res;
  }
  store::PublishedRuleset p;
  p.ruleset_hash = rs.hash;
  p.calendar_text = r.calendar_text;
  p.note = r.note;
  p.published_by = r.who;
  p.test_summary = test_summary(rs, res.tests);
  res.published = repo.publish_ruleset(sources, p);
  return res;
}

std::shared_ptr<const PreparedRules> published_rules(store::CaseRepository& repo, std::optional<int> version,
                                                     const Codec& codec) {
  auto v = repo.published_ruleset(version);
  if (!v) {
    if (version)
      throw ServiceError(ErrorKind::not_found, "unknown_version", "no published rule version " + std::to_string(*version),
                         {{"version", std::to_string(*version)}});
    throw ServiceError(ErrorKind::not_found, "no_published_version",
                       "the database has no published rule version (publish one with `subsidy rules publish`)", {});
  }
  // Immutable values by ruleset and calendar: built once per process, shared by every caller and thread.
  static PreparedCache cache;
  const std::string key = v->ruleset_hash + "+" + store::sha256_hex(v->calendar_text);
  auto prepared = cache.get(key, [&]() -> std::shared_ptr<const PreparedRules> {
    auto stored = repo.load_ruleset(v->ruleset_hash);
    if (!stored) return nullptr;
    auto compiled = compile_files(stored->files);
    workflow::Calendar calendar;
    if (!v->calendar_text.empty()) {
      diag::SourceSet ss;
      diag::Diagnostics diags;
      calendar = workflow::Calendar::parse(ss, ss.add("calendar of published version " + std::to_string(v->version), v->calendar_text), diags);
      if (diags.has_errors()) compiled->ruleset = nullptr;
    }
    if (!compiled->ruleset || !compiled->workflows)
      throw ServiceError(ErrorKind::internal, "stored_ruleset_invalid",
                         "published rule version " + std::to_string(v->version) + " (ruleset " + v->ruleset_hash.substr(0, 12) +
                             ") no longer compiles with this version of subsidy",
                         {{"version", std::to_string(v->version)}, {"ruleset_hash", v->ruleset_hash}});
    return std::make_shared<const PreparedRules>(
        PreparedRules::Parts{compiled->ruleset, compiled->workflows, calendar, std::move(stored->files)}, codec);
  });
  if (!prepared)
    throw ServiceError(ErrorKind::internal, "stored_ruleset_missing",
                       "published rule version " + std::to_string(v->version) + " names ruleset " + v->ruleset_hash.substr(0, 12) +
                           ", which is not stored",
                       {{"version", std::to_string(v->version)}, {"ruleset_hash", v->ruleset_hash}});
  return prepared;
}

}  // namespace subsidy::service
