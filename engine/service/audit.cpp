// The replay audit (service/audit.hpp): every case's events through the workflow transition
// function, the stored rows against that history, awards and budgets against their cases.
#include "service/audit.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "model/date.hpp"
#include "model/money.hpp"

namespace subsidy::service {

namespace {

namespace bj = boost::json;

// What an event recorded of its case ("audit" in its payload; service/cases.cpp with_audit).
struct Snapshot {
  std::optional<model::Days> date;
  int facts_version = 0;
  std::optional<std::string> facts_sha256;
  bool has_decision = false;
  std::string outcome, ruleset_hash;
  model::Fen amount = 0;
  std::optional<model::Fen> approved, allocated;
  model::Fen reserved = 0, consumed = 0;
  bool has_identity = false;
  std::string application_id, applicant, programme, workflow;
  int call_year = 0;
};

// The parts of a payload the replay reads.
struct Parsed {
  std::optional<Snapshot> snap;
  std::optional<model::Days> last_workflow_date;  // of its workflow events (legacy events' step date)
  std::optional<model::Fen> approved_in_step;     // "amount": an approval of a smaller amount
  bool ok = true;                                 // the payload is JSON (or empty)
};

std::string str(const bj::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
std::int64_t num(const bj::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : 0;
}
std::optional<std::int64_t> opt_num(const bj::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  if (v && v->is_int64()) return v->as_int64();
  return std::nullopt;
}

Parsed parse_payload(const std::string& text) {
  Parsed p;
  if (text.empty()) return p;
  bj::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec || !v.is_object()) {
    p.ok = false;
    return p;
  }
  const auto& o = v.as_object();
  if (const auto* wf = o.if_contains("workflow"); wf && wf->is_array()) {
    for (const auto& e : wf->as_array()) {
      if (!e.is_object()) continue;
      if (auto d = model::parse_date(str(e.as_object(), "date"))) {
        if (!p.last_workflow_date || *d > *p.last_workflow_date) p.last_workflow_date = *d;
      }
    }
  }
  if (const auto* am = o.if_contains("amount"); am && am->is_object()) p.approved_in_step = opt_num(am->as_object(), "approved_fen");
  const auto* a = o.if_contains("audit");
  if (!a || !a->is_object()) return p;
  const auto& ao = a->as_object();
  Snapshot s;
  if (auto d = model::parse_date(str(ao, "date"))) s.date = *d;
  s.facts_version = static_cast<int>(num(ao, "facts_version"));
  if (const auto* f = ao.if_contains("facts_sha256"); f && f->is_string()) s.facts_sha256 = std::string(f->as_string());
  if (const auto* d = ao.if_contains("decision"); d && d->is_object()) {
    s.has_decision = true;
    s.outcome = str(d->as_object(), "outcome");
    s.amount = num(d->as_object(), "amount_fen");
    s.ruleset_hash = str(d->as_object(), "ruleset_hash");
  }
  s.approved = opt_num(ao, "approved_fen");
  s.allocated = opt_num(ao, "allocated_fen");
  s.reserved = num(ao, "reserved_fen");
  s.consumed = num(ao, "consumed_fen");
  if (const auto* c = ao.if_contains("case"); c && c->is_object()) {
    const auto& co = c->as_object();
    s.has_identity = true;
    s.application_id = str(co, "application_id");
    s.applicant = str(co, "applicant");
    s.programme = str(co, "programme");
    s.workflow = str(co, "workflow");
    s.call_year = static_cast<int>(num(co, "call_year"));
  }
  p.snap = std::move(s);
  return p;
}

// The amount the case is paid on a snapshot (service::payable on the recorded values).
model::Fen payable_of(const Snapshot& s) {
  if (!s.has_decision || s.outcome != "eligible") return 0;
  model::Fen a = s.approved ? std::min(s.amount, *s.approved) : s.amount;
  return s.allocated ? std::min(a, *s.allocated) : a;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}
std::string fen_text(const std::optional<model::Fen>& f) { return f ? model::format_yuan(*f) + " yuan" : "none"; }
std::string fen_text(model::Fen f) { return model::format_yuan(f) + " yuan"; }
std::string date_text(const std::optional<model::Days>& d) { return d ? model::format_date(*d) : "none"; }

// One case's findings, capped like a chain's (store::kMaxFindingsPerChain).
class Findings {
 public:
  Findings(store::CaseId id, std::vector<store::AuditFinding>& out) : id_(id), out_(out) {}
  ~Findings() {
    if (dropped_ > 0) {
      out_.push_back({id_, 0, first_dropped_, "… and " + std::to_string(dropped_) + " more replay finding" +
                                                  (dropped_ == 1 ? "" : "s") + " for this case, not listed", {}});
    }
  }
  Findings(const Findings&) = delete;
  Findings& operator=(const Findings&) = delete;
  void add(std::int64_t seq, store::FindingKind kind, std::string message) {
    if (listed_ >= store::kMaxFindingsPerChain) {
      if (dropped_++ == 0) first_dropped_ = kind;
      return;
    }
    ++listed_;
    out_.push_back({id_, seq, kind, "case " + std::to_string(id_) + ": " + std::move(message), {}});
  }
  // A row field that differs from what the history says.
  template <class T>
  void differs(const char* field, const T& row, const T& history, const std::string& row_text, const std::string& history_text,
               const std::string& source, std::int64_t seq = 0) {
    if (row == history) return;
    add(seq, store::FindingKind::state_mismatch,
        std::string("the stored ") + field + " is " + row_text + " but " + source + " says " + history_text);
  }

 private:
  store::CaseId id_;
  std::vector<store::AuditFinding>& out_;
  std::size_t listed_ = 0, dropped_ = 0;
  store::FindingKind first_dropped_ = store::FindingKind::state_mismatch;
};

// The prepared rules an event's decision was made with: those stored under its ruleset hash, or
// the current rules (when the hash is theirs, or the ruleset was never stored).
const PreparedRules& rules_of(const Env& env, const std::string& hash, std::map<std::string, std::shared_ptr<const PreparedRules>>& cache) {
  if (hash.empty() || hash == env.rules.hash()) return env.rules;
  auto it = cache.find(hash);
  if (it == cache.end()) {
    std::shared_ptr<const PreparedRules> r;
    try {
      r = stored_rules(env.repo, hash, env.rules.codec(), env.cal);
    } catch (const ServiceError&) {  // no longer compiles: the current rules replay it
    }
    it = cache.emplace(hash, std::move(r)).first;
  }
  return it->second ? *it->second : env.rules;
}

// Findings by case (0 first: the store's own), then the budgets' by name; stable within each.
void order_findings(std::vector<store::AuditFinding>& v) {
  std::stable_sort(v.begin(), v.end(), [](const store::AuditFinding& a, const store::AuditFinding& b) {
    const bool ab = !a.budget.empty(), bb = !b.budget.empty();
    if (ab != bb) return bb;
    if (ab) return a.budget < b.budget;
    return a.case_id < b.case_id;
  });
}

}  // namespace

bool replay_case(const Env& env, const store::Case& c, std::span<const store::Event> events,
                 std::span<const store::FactsVersion> facts, std::span<const store::Award> awards,
                 std::vector<store::AuditFinding>& out, ReplayedMoney* money) {
  using store::FindingKind;
  Findings f(c.id, out);
  static thread_local std::map<std::string, std::shared_ptr<const PreparedRules>> cache;
  if (events.empty()) {
    f.add(0, FindingKind::state_mismatch, "the case has no events: nothing records how it reached stage `" + joined(c.stages) + "`");
    if (money) *money = {c.reserved_fen, c.consumed_fen};
    return false;
  }
  std::vector<Parsed> parsed;
  parsed.reserve(events.size());
  for (const auto& e : events) parsed.push_back(parse_payload(e.payload_json));
  const bool legacy = !parsed.front().snap;

  // The recorded values at each moment: the previous event's snapshot (legacy: the row's).
  Snapshot row_snap;
  row_snap.facts_version = c.facts_version;
  if (c.decision) {
    row_snap.has_decision = true;
    row_snap.outcome = c.decision->outcome;
    row_snap.amount = c.decision->amount_fen;
    row_snap.ruleset_hash = c.decision->ruleset_hash;
  }
  row_snap.approved = c.approved_fen;
  row_snap.allocated = c.allocated_fen;
  row_snap.reserved = c.reserved_fen;
  row_snap.consumed = c.consumed_fen;

  workflow::CaseState st;
  bool routing = true;  // the workflow replay goes on until its first illegal step
  const workflow::Workflow* wf = nullptr;
  const PreparedRules* rules = nullptr;
  int facts_in_effect = 1;
  model::Fen paid = 0;  // what the disbursement events consumed
  const Snapshot* prev = nullptr;

  for (std::size_t i = 0; i < events.size(); ++i) {
    const store::Event& e = events[i];
    const Parsed& p = parsed[i];
    const std::string at = "event seq " + std::to_string(e.seq) + " (" + e.action + ")";
    if (!p.ok) f.add(e.seq, FindingKind::state_mismatch, at + ": its payload is not JSON");
    const Snapshot* now = p.snap ? &*p.snap : nullptr;
    if (!legacy && !now) {
      f.add(e.seq, FindingKind::state_mismatch, at + " carries no recorded state although the case's first event does");
    }
    // The moment the step was taken in: the state before it.
    const Snapshot& before = prev ? *prev : (legacy ? row_snap : (now ? *now : row_snap));
    const std::string prev_to = i == 0 ? std::string() : events[i - 1].to_stage;
    if (e.from_stage != prev_to) {
      f.add(e.seq, FindingKind::illegal_step,
            at + " starts at stage `" + e.from_stage + "` but " +
                (i == 0 ? std::string("it is the first event (no stage before it)")
                        : "event seq " + std::to_string(events[i - 1].seq) + " left the case at `" + prev_to + "`"));
    }
    // Rules and facts of that moment.
    if (routing) {
      const std::string& hash = before.has_decision ? before.ruleset_hash : std::string();
      rules = &rules_of(env, hash, cache);
      try {
        auto prog = rules->programme(c.programme);
        wf = prog.wf;
        const int fv = legacy ? facts_in_effect : std::max(1, before.facts_version);
        if (fv < 1 || static_cast<std::size_t>(fv) > facts.size()) {
          f.add(e.seq, FindingKind::state_mismatch,
                at + " was taken on facts version " + std::to_string(fv) + ", which is not stored (the case has " +
                    std::to_string(facts.size()) + ")");
          routing = false;
        } else {
          Env renv{*rules, env.repo};
          model::Facts fx = decode_facts(renv, prog, facts[static_cast<std::size_t>(fv) - 1].facts_json);
          workflow::Decision dec{before.has_decision && before.outcome == "eligible", payable_of(before)};
          if (e.action == "approve" && p.approved_in_step) dec.amount = std::min(dec.amount, *p.approved_in_step);
          if (i == 0 && !legacy && now) dec = {now->has_decision && now->outcome == "eligible", payable_of(*now)};
          workflow::Context ctx{fx, dec, rules->calendar()};
          std::optional<model::Days> date = now && now->date ? now->date : p.last_workflow_date;
          const bool dated = i == 0 || (e.action != "correct" && e.action != "allocate");  // a workflow step
          if (!date && dated) {
            f.add(e.seq, FindingKind::state_mismatch, at + " records no date: it cannot be replayed");
            routing = false;
          } else if (i == 0) {
            if (e.action != "submit") f.add(e.seq, FindingKind::illegal_step, at + ": a case's first event is its submission");
            st = workflow::start(*wf, ctx, *date).state;
          } else if (e.action == "timer") {
            // advance() moves what ended before its date; a legacy timer event's date is its last move's
            auto r = workflow::advance(*wf, st, ctx, now && now->date ? *date : *date + 1);
            if (r.refusal) {
              f.add(e.seq, FindingKind::illegal_step, at + ": " + r.refusal->message);
              routing = false;
            }
            st = r.state;
          } else if (e.action == "correct") {
            if (auto refusal = workflow::correction_refusal(*wf, st)) {
              f.add(e.seq, FindingKind::illegal_step, at + ": the facts could not be corrected there: " + refusal->message);
            }
          } else if (e.action != "allocate") {
            auto r = workflow::apply(*wf, st, workflow::Step{e.action, e.role, *date}, ctx);
            if (r.refusal) {
              f.add(e.seq, FindingKind::illegal_step,
                    at + ": `" + e.action + "` by `" + e.role + "` on " + model::format_date(*date) +
                        " is not a step the workflow takes [" + workflow::refusal_kind_name(r.refusal->kind) + "]: " +
                        r.refusal->message);
              routing = false;
            } else {
              st = r.state;
            }
          }
          if (routing) {
            const std::string replayed = joined(workflow::summarize(*wf, st).stages);
            if (replayed != e.to_stage) {
              f.add(e.seq, FindingKind::illegal_step,
                    at + " records the case moving to `" + e.to_stage + "` but the workflow leads to `" + replayed + "`");
              routing = false;
            }
          }
        }
      } catch (const ServiceError& err) {
        f.add(e.seq, FindingKind::state_mismatch, at + ": cannot be replayed: " + err.what());
        routing = false;
      }
    }
    if (e.action == "correct") ++facts_in_effect;
    // What may change at each event, by its kind.
    if (now && prev) {
      const bool correct = e.action == "correct";
      if (!correct && (now->outcome != prev->outcome || now->amount != prev->amount || now->has_decision != prev->has_decision)) {
        f.add(e.seq, FindingKind::illegal_step,
              at + " changes the decision (" + prev->outcome + " " + fen_text(prev->amount) + " → " + now->outcome + " " +
                  fen_text(now->amount) + "): only a correction re-decides");
      }
      if (now->facts_version != prev->facts_version + (correct ? 1 : 0)) {
        f.add(e.seq, FindingKind::illegal_step,
              at + " records facts version " + std::to_string(now->facts_version) + " after " + std::to_string(prev->facts_version));
      }
      if (now->approved != prev->approved && !(e.action == "approve" && p.approved_in_step && now->approved == p.approved_in_step)) {
        f.add(e.seq, FindingKind::illegal_step,
              at + " changes the approved amount (" + fen_text(prev->approved) + " → " + fen_text(now->approved) +
                  ") without an approval of that amount");
      }
      if (now->allocated != prev->allocated && e.action != "allocate") {
        f.add(e.seq, FindingKind::illegal_step,
              at + " changes the allocated amount (" + fen_text(prev->allocated) + " → " + fen_text(now->allocated) +
                  "): only a budget allocation does");
      }
      if (now->consumed != prev->consumed) {
        if (e.action != "disburse" || now->consumed < prev->consumed) {
          f.add(e.seq, FindingKind::illegal_step,
                at + " changes what the case's payment consumed (" + fen_text(prev->consumed) + " → " + fen_text(now->consumed) +
                    "): only a disbursement pays");
        } else if (now->consumed - prev->consumed > payable_of(*prev)) {
          f.add(e.seq, FindingKind::illegal_step,
                at + " pays " + fen_text(now->consumed - prev->consumed) + " but the case was granted " + fen_text(payable_of(*prev)));
        }
        paid += now->consumed - prev->consumed;
      }
    }
    if (now && now->reserved > payable_of(*now)) {
      f.add(e.seq, FindingKind::illegal_step,
            at + " leaves the case holding " + fen_text(now->reserved) + " of its budget, more than it is granted (" +
                fen_text(payable_of(*now)) + ")");
    }
    if (now && i == 0 && now->consumed > 0) paid += now->consumed;
    if (now) prev = now;
  }

  // The row against the replayed workflow state.
  if (routing && wf != nullptr) {
    auto sum = workflow::summarize(*wf, st);
    f.differs("stages", c.stages, sum.stages, "`" + joined(c.stages) + "`", "`" + joined(sum.stages) + "`", "the replayed workflow");
    f.differs("responsible roles", c.roles, sum.roles, "`" + joined(c.roles) + "`", "`" + joined(sum.roles) + "`",
              "the replayed workflow");
    const std::string state_json = workflow::to_json(st);
    f.differs("workflow state (state_json)", c.state_json, state_json, c.state_json, state_json, "the replayed workflow");
    f.differs("closed flag", c.closed, sum.terminal, c.closed ? "closed" : "open", sum.terminal ? "closed" : "open",
              "the replayed workflow");
    f.differs("timer", c.timer_due, st.timer, date_text(c.timer_due), date_text(st.timer), "the replayed workflow");
  }
  const int stored_versions = static_cast<int>(facts.size());
  if (legacy) {
    f.differs("number of facts versions", stored_versions, facts_in_effect, std::to_string(stored_versions),
              std::to_string(facts_in_effect), "the events (one submission, " + std::to_string(facts_in_effect - 1) + " corrections)");
    if (money) *money = {c.reserved_fen, c.consumed_fen};
    return false;
  }

  // The row against what the events recorded.
  const Snapshot& first = *parsed.front().snap;
  if (first.has_identity) {
    const std::string src = "its first event";
    f.differs("application id", c.application_id, first.application_id, "`" + c.application_id + "`", "`" + first.application_id + "`", src);
    f.differs("applicant", c.applicant, first.applicant, "`" + c.applicant + "`", "`" + first.applicant + "`", src);
    f.differs("programme", c.programme, first.programme, "`" + c.programme + "`", "`" + first.programme + "`", src);
    f.differs("call year", c.call_year, first.call_year, std::to_string(c.call_year), std::to_string(first.call_year), src);
    f.differs("workflow", c.workflow, first.workflow, "`" + c.workflow + "`", "`" + first.workflow + "`", src);
  }
  if (prev != nullptr) {
    const Snapshot& last = *prev;
    const std::string src = "its last event (seq " + std::to_string(events.back().seq) + ")";
    f.differs("facts version", c.facts_version, last.facts_version, std::to_string(c.facts_version), std::to_string(last.facts_version), src);
    f.differs("number of facts versions", stored_versions, last.facts_version, std::to_string(stored_versions),
              std::to_string(last.facts_version), src);
    const std::string outcome = c.decision ? c.decision->outcome : std::string("none");
    f.differs("decision outcome", outcome, last.has_decision ? last.outcome : std::string("none"), outcome,
              last.has_decision ? last.outcome : std::string("none"), src);
    const model::Fen amount = c.decision ? c.decision->amount_fen : 0;
    f.differs("decision amount", amount, last.amount, fen_text(amount), fen_text(last.amount), src);
    const std::string hash = c.decision ? c.decision->ruleset_hash : std::string();
    f.differs("decision's ruleset", hash, last.ruleset_hash, hash.substr(0, 12), last.ruleset_hash.substr(0, 12), src);
    f.differs("approved amount", c.approved_fen, last.approved, fen_text(c.approved_fen), fen_text(last.approved), src);
    f.differs("allocated amount", c.allocated_fen, last.allocated, fen_text(c.allocated_fen), fen_text(last.allocated), src);
    f.differs("reservation", c.reserved_fen, last.reserved, fen_text(c.reserved_fen), fen_text(last.reserved), src);
    f.differs("consumed amount", c.consumed_fen, last.consumed, fen_text(c.consumed_fen), fen_text(last.consumed), src);
    if (money) *money = {last.reserved, last.consumed};
  }
  // Each facts version against the hash its event recorded: v1 the submission's, vk the k-th correction's.
  std::vector<std::pair<std::int64_t, std::string>> recorded;  // (seq, sha) by version
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& s = parsed[i].snap;
    if (s && s->facts_sha256 && (i == 0 || events[i].action == "correct")) recorded.emplace_back(events[i].seq, *s->facts_sha256);
  }
  for (std::size_t v = 0; v < facts.size() && v < recorded.size(); ++v) {
    if (store::sha256_hex(facts[v].facts_json) != recorded[v].second) {
      f.add(recorded[v].first, FindingKind::state_mismatch,
            "facts version " + std::to_string(v + 1) + " is not the one event seq " + std::to_string(recorded[v].first) +
                " recorded (its SHA-256 differs): the stored facts were edited");
    }
  }
  // Awards against the disbursement.
  model::Fen awarded = 0;
  for (const auto& a : awards) {
    awarded += a.amount_fen;
    if (a.programme != c.programme || a.year != c.call_year || a.applicant != c.applicant) {
      f.add(0, FindingKind::award_mismatch,
            "award " + std::to_string(a.id) + " is for " + a.applicant + " " + a.programme + "/" + std::to_string(a.year) +
                " but the case is " + c.applicant + " " + c.programme + "/" + std::to_string(c.call_year));
    }
  }
  if (awarded != paid) {
    f.add(0, FindingKind::award_mismatch,
          awards.empty() ? "the case's disbursement paid " + fen_text(paid) + " but it has no award: the award was deleted"
                         : "the case's awards total " + fen_text(awarded) + " but its disbursement events paid " + fen_text(paid));
  }
  return true;
}

store::AuditReport audit(const Env& env, const AuditOptions& o) {
  store::AuditReport rep = env.repo.verify_audit(o.only);
  if (!o.replay) return rep;
  std::map<store::CaseId, std::vector<store::Award>> awards;
  std::vector<store::Award> orphans;
  for (auto& a : env.repo.list_awards({})) {
    if (!a.case_id) continue;  // imported history: no case to check it against
    if (o.only && *a.case_id != *o.only) continue;
    ++rep.awards;
    awards[*a.case_id].push_back(std::move(a));
  }
  std::map<std::pair<std::string, int>, ReplayedMoney> sums;
  std::vector<store::AuditFinding> found;
  auto one = [&](const store::Case& c) {
    auto evs = env.repo.events(c.id);
    auto fvs = env.repo.facts_versions(c.id);
    auto it = awards.find(c.id);
    std::span<const store::Award> mine;
    if (it != awards.end()) mine = it->second;
    ReplayedMoney m;
    if (!replay_case(env, c, evs, fvs, mine, found, &m)) ++rep.legacy;
    if (it != awards.end()) awards.erase(it);
    auto& s = sums[{c.programme, c.call_year}];
    s.reserved += m.reserved;
    s.consumed += m.consumed;
    ++rep.replayed;
    if (o.progress && o.progress_every > 0 && rep.replayed % o.progress_every == 0) o.progress(rep.replayed, rep.cases);
  };
  if (o.only) {
    one(env.repo.load_case(*o.only));
  } else {
    store::CaseFilter page;
    page.limit = 500;
    for (;;) {
      auto cases = env.repo.list_cases(page);
      for (const auto& c : cases) one(c);
      if (cases.size() < page.limit) break;
      page.after_id = cases.back().id;
    }
  }
  for (const auto& [id, list] : awards) {  // awards whose case is gone
    for (const auto& a : list) {
      found.push_back({id, 0, store::FindingKind::award_mismatch,
                       "case " + std::to_string(id) + ": award " + std::to_string(a.id) + " (" + a.applicant + " " + a.programme + "/" +
                           std::to_string(a.year) + " " + fen_text(a.amount_fen) + ") belongs to case " + std::to_string(id) +
                           ", which does not exist: the case was deleted",
                       {}});
    }
  }
  if (!o.only) {
    for (const auto& b : env.repo.list_budgets()) {
      const auto it = sums.find({b.programme, b.year});
      const ReplayedMoney m = it == sums.end() ? ReplayedMoney{} : it->second;
      const std::string name = store::budget_name(b.programme, b.year);
      if (b.reserved_fen != m.reserved) {
        found.push_back({0, 0, store::FindingKind::budget_mismatch,
                         "the reserved amount of " + name + " is " + fen_text(b.reserved_fen) + " but its cases' events hold " +
                             fen_text(m.reserved),
                         name});
      }
      if (b.consumed_fen != m.consumed) {
        found.push_back({0, 0, store::FindingKind::budget_mismatch,
                         "the consumed amount of " + name + " is " + fen_text(b.consumed_fen) + " but its cases' events paid " +
                             fen_text(m.consumed),
                         name});
      }
    }
  }
  rep.findings.insert(rep.findings.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  order_findings(rep.findings);
  return rep;
}

namespace {

// Every case (by id) and budget (by name) as checkpoint entries; `at_seq`: for the keys it lists, the
// hash of the chain's stored event at that seq is filled in.
std::vector<store::CheckpointEntry> current_heads(store::CaseRepository& repo,
                                                  std::map<std::string, std::pair<std::int64_t, std::string>>* at_seq) {
  using Kind = store::CheckpointEntry::Kind;
  std::vector<store::CheckpointEntry> out;
  auto note = [&](const std::string& key, const auto& events) {
    if (!at_seq) return;
    auto it = at_seq->find(key);
    if (it == at_seq->end()) return;
    for (const auto& e : events)
      if (e.seq == it->second.first) it->second.second = e.hash;
  };
  store::CaseFilter page;
  page.limit = 500;
  for (;;) {
    auto cases = repo.list_cases(page);
    for (const auto& c : cases) {
      auto evs = repo.events(c.id);
      store::ChainHead h;
      if (!evs.empty()) h = {evs.back().seq, evs.back().hash};
      const std::string key = std::to_string(c.id);
      note("case " + key, evs);
      out.push_back({Kind::case_chain, key, h});
    }
    if (cases.size() < page.limit) break;
    page.after_id = cases.back().id;
  }
  std::vector<store::CheckpointEntry> budgets;
  for (const auto& b : repo.list_budgets()) {
    auto evs = repo.budget_history(b.programme, b.year);
    store::ChainHead h;
    if (!evs.empty()) h = {evs.back().seq, evs.back().hash};
    const std::string key = store::budget_name(b.programme, b.year);
    note("budget " + key, evs);
    budgets.push_back({Kind::budget, key, h});
  }
  std::sort(budgets.begin(), budgets.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  out.insert(out.end(), budgets.begin(), budgets.end());
  return out;
}

}  // namespace

store::Checkpoint make_checkpoint(store::CaseRepository& repo, const std::string& private_pem, const std::string& created_at,
                                  const std::string& previous) {
  store::Checkpoint c;
  c.created_at = created_at;
  c.previous = previous;
  c.hash = repo.hash_algorithm();
  c.entries = current_heads(repo, nullptr);
  for (const auto& e : c.entries) (e.kind == store::CheckpointEntry::Kind::case_chain ? c.cases : c.budgets) += 1;
  store::sign_checkpoint(c, private_pem);
  return c;
}

void check_checkpoint(store::CaseRepository& repo, const store::Checkpoint& c, const std::string& public_pem,
                      store::AuditReport& report) {
  std::string why;
  if (!store::verify_checkpoint(c, public_pem, &why)) {
    report.findings.push_back({0, 0, store::FindingKind::checkpoint, "checkpoint of " + c.created_at + ": " + why, {}});
    return;
  }
  if (c.hash != repo.hash_algorithm()) {
    report.findings.push_back({0, 0, store::FindingKind::checkpoint,
                               "checkpoint of " + c.created_at + ": its chains were hashed with " + store::hash_algorithm_name(c.hash) +
                                   " but the database's are " + store::hash_algorithm_name(repo.hash_algorithm()) +
                                   ": the database was re-chained with another algorithm, or the checkpoint is of another database",
                               {}});
    return;
  }
  std::map<std::string, std::pair<std::int64_t, std::string>> at_seq;
  for (const auto& e : c.entries) {
    at_seq[(e.kind == store::CheckpointEntry::Kind::case_chain ? "case " : "budget ") + e.key] = {e.head.count, std::string()};
  }
  const auto now = current_heads(repo, &at_seq);
  std::vector<store::AuditFinding> found;
  store::compare_to_checkpoint(
      c, now,
      [&](const store::CheckpointEntry& e, std::int64_t) -> std::optional<std::string> {
        auto it = at_seq.find((e.kind == store::CheckpointEntry::Kind::case_chain ? "case " : "budget ") + e.key);
        if (it == at_seq.end() || it->second.second.empty()) return std::nullopt;
        return it->second.second;
      },
      found);
  report.findings.insert(report.findings.end(), found.begin(), found.end());
  order_findings(report.findings);
}

namespace {

constexpr const char* kCheckpointPrefix = "checkpoint-";
constexpr const char* kCheckpointSuffix = ".txt";

// NNNNNN of DIR/checkpoint-NNNNNN.txt, 0 for any other name.
long long checkpoint_number(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  const std::string prefix = kCheckpointPrefix, suffix = kCheckpointSuffix;
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return 0;
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return 0;
  return std::stoll(digits);
}

std::string checkpoint_name(long long n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%06lld%s", kCheckpointPrefix, n, kCheckpointSuffix);
  return buf;
}

std::string read_whole(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<std::string> newest_checkpoint(const std::string& dir) {
  long long best = 0;
  std::filesystem::path found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const long long n = checkpoint_number(entry.path());
    if (n > best) {
      best = n;
      found = entry.path();
    }
  }
  if (ec) throw std::runtime_error("cannot read the checkpoint directory " + dir + ": " + ec.message());
  if (best == 0) return std::nullopt;
  return found.string();
}

std::optional<std::string> write_scheduled_checkpoint(store::CaseRepository& repo, const std::string& private_pem,
                                                      const std::string& dir, const std::string& created_at,
                                                      std::chrono::milliseconds fresh) {
  namespace fs = std::filesystem;
  std::string previous = store::kGenesisHash;
  long long number = 1;
  if (const auto last = newest_checkpoint(dir)) {
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(*last);
    if (age < fresh) return std::nullopt;  // written this period (by this instance or another)
    try {
      previous = store::checkpoint_hash(store::parse_checkpoint(read_whole(*last)));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(*last + ": " + e.what() + " (the scheduled checkpoints cannot continue its chain)");
    }
    number = checkpoint_number(*last) + 1;
  }
  const store::Checkpoint c = make_checkpoint(repo, private_pem, created_at, previous);
  const fs::path target = fs::path(dir) / checkpoint_name(number);
  const fs::path tmp = fs::path(dir) / (".checkpoint-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << store::to_text(c);
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  // link(2) fails with EEXIST when another instance took this number: it wrote this period's.
  const int rc = ::link(tmp.c_str(), target.c_str());
  const int err = errno;
  fs::remove(tmp);
  if (rc != 0) {
    if (err == EEXIST) return std::nullopt;
    throw std::runtime_error("cannot write " + target.string() + ": " + std::strerror(err));
  }
  return target.string();
}

}  // namespace subsidy::service
