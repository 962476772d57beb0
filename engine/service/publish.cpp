#include "service/publish.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

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

ServiceError bad_file(const std::string& path, const std::string& why) {
  return ServiceError(ErrorKind::input, "bad_rules_file", "rule file `" + path + "`: " + why, {{"file", path}});
}

// A path as a rules directory could hold it: relative, '/'-separated, no empty, `.` or `..` segment.
void check_path(const std::string& path) {
  if (path.empty()) throw bad_file(path, "the path is empty");
  if (path.front() == '/' || path.find('\\') != std::string::npos || path.find('\0') != std::string::npos)
    throw bad_file(path, "the path must be relative and '/'-separated");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view seg(path.data() + start, slash - start);
    if (seg.empty() || seg == "." || seg == "..") throw bad_file(path, "the path has an empty, `.` or `..` segment");
    start = slash + 1;
  }
}

ServiceError rules_invalid(const CompiledRules& c, const std::string& what) {
  Details details{{"errors", std::to_string(c.diags.error_count())}};
  for (const auto& d : c.diags.items())
    if (d.severity == diag::Severity::error) {
      details.emplace_back("location", diag::location(d.span, c.sources));
      break;
    }
  const std::string rendered = diag::render_all(c.diags, c.sources);
  details.emplace_back("diagnostics", rendered);
  std::string first = rendered.substr(0, rendered.find('\n'));
  return ServiceError(ErrorKind::input, "rules_invalid", what + " do not check: " + diag::summary(c.diags) + (first.empty() ? "" : "; " + first),
                      std::move(details));
}

}  // namespace

InlineRules compile_inline(std::vector<InlineFile> files, const workflow::Calendar& fallback_calendar, const Codec& codec) {
  if (files.size() > kMaxInlineFiles)
    throw ServiceError(ErrorKind::input, "rules_too_large",
                       std::to_string(files.size()) + " rule files sent; at most " + std::to_string(kMaxInlineFiles),
                       {{"files", std::to_string(files.size())}});
  std::size_t bytes = 0;
  for (const auto& f : files) bytes += f.text.size();
  if (bytes > kMaxInlineBytes)
    throw ServiceError(ErrorKind::input, "rules_too_large",
                       "the rule files sent hold " + std::to_string(bytes) + " bytes; at most " + std::to_string(kMaxInlineBytes),
                       {{"bytes", std::to_string(bytes)}});
  InlineRules out;
  std::optional<std::string> calendar;
  std::set<std::string> seen;
  for (auto& f : files) {
    check_path(f.path);
    if (!seen.insert(f.path).second) throw bad_file(f.path, "given twice");
    if (f.text.find('\0') != std::string::npos) throw bad_file(f.path, "the text holds a NUL byte");
    if (f.path == kInlineCalendarPath) {
      calendar = std::move(f.text);
      continue;
    }
    if (!f.path.ends_with(".rules"))
      throw bad_file(f.path, "not a rule file (a name ending in .rules, or the calendar " + std::string(kInlineCalendarPath) + ")");
    out.files.push_back(store::RulesetFile{f.path, std::move(f.text)});
  }
  if (out.files.empty())
    throw ServiceError(ErrorKind::input, "no_rules_files", "no .rules file was sent (\"files\": {\"name.rules\": \"text\", …})", {});
  // The order of a rules directory: std::filesystem::path order (by segment), as files::load_rules sorts.
  std::sort(out.files.begin(), out.files.end(), [](const store::RulesetFile& a, const store::RulesetFile& b) {
    return std::filesystem::path(a.path) < std::filesystem::path(b.path);
  });
  out.compiled = compile_files(out.files);
  workflow::Calendar cal = fallback_calendar;
  if (calendar) {
    out.calendar_text = *calendar;
    cal = workflow::Calendar::parse(out.compiled->sources, out.compiled->sources.add(std::string(kInlineCalendarPath), *calendar),
                                    out.compiled->diags);
  }
  if (!out.compiled->ruleset || !out.compiled->workflows || out.compiled->diags.has_errors())
    throw rules_invalid(*out.compiled, "the rules sent");
  out.prepared = std::make_shared<const PreparedRules>(
      PreparedRules::Parts{out.compiled->ruleset, out.compiled->workflows, std::move(cal), out.files}, codec);
  return out;
}

namespace {
boost::json::object version_object(const store::PublishedRuleset& v) {
  return boost::json::object{{"version", v.version},           {"ruleset_hash", v.ruleset_hash}, {"note", v.note},
                             {"published_by", v.published_by}, {"published_at", v.published_at}, {"test_summary", v.test_summary},
                             {"calendar", !v.calendar_text.empty()}};
}
}  // namespace

std::string version_json(const store::PublishedRuleset& v, std::optional<bool> unchanged) {
  auto o = version_object(v);
  if (unchanged) o["unchanged"] = *unchanged;
  return boost::json::serialize(o);
}

std::string versions_json(const std::vector<store::PublishedRuleset>& all) {
  boost::json::array a;
  for (const auto& v : all) a.push_back(version_object(v));
  return boost::json::serialize(boost::json::object{{"versions", std::move(a)}});
}

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
  store::PublishedRuleset p;
  p.ruleset_hash = rs.hash;
  p.calendar_text = r.calendar_text;
  p.note = r.note;
  p.published_by = r.who;
  p.test_summary = test_summary(rs, res.tests);
  // The "already published" check and the new version in one unit of work: a write transaction
  // (SQLite: BEGIN IMMEDIATE, so racers queue), and where racers can read the same latest version
  // (PostgreSQL, MariaDB: READ COMMITTED) the loser's INSERT of the same number is a ConflictError:
  // it retries with the next number.
  constexpr int kAttempts = 8;
  for (int attempt = 1;; ++attempt) {
    try {
      store::Transaction tx(repo);
      if (auto latest = repo.published_ruleset(); latest && latest->ruleset_hash == rs.hash && latest->calendar_text == r.calendar_text) {
        tx.commit();
        res.published = *latest;
        res.unchanged = true;
        return res;
      }
      res.published = repo.publish_ruleset(sources, p);
      // Under READ COMMITTED a racer may have committed this very ruleset between the check above
      // and the number read by publish_ruleset: then the version before ours is it, and ours is a
      // duplicate (rolled back).
      if (auto before = repo.published_ruleset(res.published.version - 1);
          before && before->ruleset_hash == rs.hash && before->calendar_text == r.calendar_text) {
        res.published = *before;
        res.unchanged = true;
        return res;  // tx rolls back
      }
      tx.commit();
      return res;
    } catch (const store::ConflictError& e) {
      if (attempt == kAttempts)
        throw ServiceError(ErrorKind::conflict, "concurrent_publish",
                           "publishing lost the race for a version number " + std::to_string(kAttempts) +
                               " times to other publishers (" + e.what() + "); nothing was stored: publish again",
                           {});
    }
  }
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
