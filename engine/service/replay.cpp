#include "service/replay.hpp"

#include <boost/json.hpp>

#include "service/cases.hpp"
#include "service/errors.hpp"

namespace subsidy::service {

namespace bj = boost::json;

const char* replay_status_name(ReplayStatus s) {
  switch (s) {
    case ReplayStatus::identical: return "identical";
    case ReplayStatus::differs: return "differs";
    case ReplayStatus::no_decision: return "no_decision";
    case ReplayStatus::unreplayable: return "unreplayable";
  }
  return "unreplayable";
}

namespace {

constexpr const char* kAbsent = "(none)";

void add(std::vector<ReplayDifference>& out, std::string what, std::string stored, std::string replayed) {
  if (out.size() == kReplayDifferences) {
    out.push_back({"…", "more differences", "not listed"});
    return;
  }
  if (out.size() > kReplayDifferences) return;
  out.push_back({std::move(what), std::move(stored), std::move(replayed)});
}

std::string text_of(const bj::value* v) { return v ? bj::serialize(*v) : kAbsent; }

// Every leaf where the two decision documents differ, by path ("programs.R14.amount_fen",
// "programs.R14.reasons[0].requirement"); a whole value where the kinds differ.
void diff_json(const bj::value* a, const bj::value* b, const std::string& path, std::vector<ReplayDifference>& out) {
  if (a && b && *a == *b) return;
  if (a && b && a->is_object() && b->is_object()) {
    const auto& ao = a->get_object();
    const auto& bo = b->get_object();
    for (const auto& [k, v] : ao) diff_json(&v, bo.if_contains(k), path.empty() ? std::string(k) : path + "." + std::string(k), out);
    for (const auto& [k, v] : bo)
      if (!ao.contains(k)) diff_json(nullptr, &v, path.empty() ? std::string(k) : path + "." + std::string(k), out);
    return;
  }
  if (a && b && a->is_array() && b->is_array()) {
    const auto& aa = a->get_array();
    const auto& ba = b->get_array();
    for (std::size_t i = 0; i < std::max(aa.size(), ba.size()); ++i)
      diff_json(i < aa.size() ? &aa[i] : nullptr, i < ba.size() ? &ba[i] : nullptr, path + "[" + std::to_string(i) + "]", out);
    return;
  }
  add(out, path, text_of(a), text_of(b));
}

// The event that made the case's decision: the last submit or correct.
std::string decided_at(store::CaseRepository& repo, store::CaseId id) {
  std::string at;
  for (const auto& e : repo.events(id))
    if (e.action == "submit" || e.action == "correct") at = e.at;
  return at;
}

void compare(const store::CaseDecision& stored, const store::CaseDecision& replayed, std::vector<ReplayDifference>& out) {
  if (stored.outcome != replayed.outcome) add(out, "outcome", stored.outcome, replayed.outcome);
  if (stored.amount_fen != replayed.amount_fen)
    add(out, "amount_fen", std::to_string(stored.amount_fen), std::to_string(replayed.amount_fen));
  if (stored.json == replayed.json) return;
  bj::error_code ec;
  bj::value a = bj::parse(stored.json, ec);
  if (ec) {
    add(out, "json", "unreadable stored decision JSON (" + ec.message() + ")", "a decision");
    return;
  }
  bj::value b = bj::parse(replayed.json);
  diff_json(&a, &b, "", out);
  if (out.empty()) add(out, "json", "the same document written differently", "");
}

ReplayResult replay(store::CaseRepository& repo, const store::Case& c, const Codec& codec) {
  ReplayResult r;
  r.id = c.id;
  r.application_id = c.application_id;
  r.programme = c.programme;
  r.facts_version = c.facts_version;
  if (!c.decision) return r;
  const store::CaseDecision& d = *c.decision;
  r.ruleset_hash = d.ruleset_hash;
  r.as_of = d.as_of;
  r.status = ReplayStatus::unreplayable;
  auto rules = stored_rules(repo, d.ruleset_hash, codec);
  if (!rules) {
    r.problem = "the ruleset " + d.ruleset_hash.substr(0, 12) + " of the decision was not stored (decided before migration 004)";
    return r;
  }
  std::string facts;
  for (const auto& fv : repo.facts_versions(c.id))
    if (fv.version == c.facts_version) facts = fv.facts_json;
  if (facts.empty()) {
    r.problem = "facts version " + std::to_string(c.facts_version) + " of the case is not stored";
    return r;
  }
  r.decided_at = decided_at(repo, c.id);
  try {
    Env env{*rules, repo};
    const Programme p = rules->programme(c.programme);
    const Evaluated ev = evaluate_facts(env, p, facts, d.as_of, c.applicant, c.id, r.decided_at);
    compare(d, ev.decision, r.differences);
  } catch (const ServiceError& e) {
    r.problem = e.what();
    return r;
  }
  r.status = r.differences.empty() ? ReplayStatus::identical : ReplayStatus::differs;
  return r;
}

}  // namespace

ReplayResult replay_case(store::CaseRepository& repo, store::CaseId id, const Codec& codec) {
  return replay(repo, repo.load_case(id), codec);
}

ReplaySummary replay_all(store::CaseRepository& repo, const Codec& codec, const std::function<void(std::size_t)>& progress,
                         std::size_t max_findings) {
  ReplaySummary s;
  store::CaseFilter page;
  page.limit = 500;
  for (;;) {
    const auto cases = repo.list_cases(page);
    for (const auto& c : cases) {
      ReplayResult r = replay(repo, c, codec);
      ++s.cases;
      switch (r.status) {
        case ReplayStatus::identical: ++s.identical; break;
        case ReplayStatus::differs: ++s.differs; break;
        case ReplayStatus::no_decision: ++s.no_decision; break;
        case ReplayStatus::unreplayable: ++s.unreplayable; break;
      }
      if (r.status == ReplayStatus::differs || r.status == ReplayStatus::unreplayable) {
        if (s.findings.size() < max_findings)
          s.findings.push_back(std::move(r));
        else
          ++s.findings_left_off;
      }
      if (progress) progress(s.cases);
    }
    if (cases.size() < page.limit) break;
    page.after_id = cases.back().id;
  }
  return s;
}

}  // namespace subsidy::service
