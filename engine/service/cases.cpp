// Case orchestration (docs/cases.md). See cases.hpp.
#include "service/cases.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "model/money.hpp"
#include "model/uscc.hpp"
#include "service/audit.hpp"
#include "service/budgets.hpp"
#include "service/queries.hpp"

namespace subsidy::service {

namespace {

std::string quoted(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

// The store event's payload: the applicant (first event), the workflow events and budget changes.
std::string payload(const std::string& applicant, const std::vector<workflow::Event>& evs,
                    const std::vector<std::string>& budget) {
  std::string out = "{";
  if (!applicant.empty()) out += "\"applicant\":" + quoted(applicant) + ",";
  out += "\"workflow\":[";
  for (std::size_t i = 0; i < evs.size(); ++i) out += (i ? "," : "") + workflow::to_json(evs[i]);
  out += "]";
  if (!budget.empty()) {
    out += ",\"budget\":[";
    for (std::size_t i = 0; i < budget.size(); ++i) out += (i ? "," : "") + quoted(budget[i]);
    out += "]";
  }
  return out + "}";
}

// What the case row holds after an event, carried by the event ("audit" in its payload) so that
// `audit verify` checks the row against its chained history (service/audit.hpp): the facts version
// (and, where one was created, the SHA-256 of its facts), the decision, what the bureaus granted, the
// case's own reservation and what its payment consumed; on the first event also what names the case
// and its budget; on a workflow step its date.
struct Moment {
  std::optional<model::Days> date;       // the workflow date of the step (none: allocate)
  const std::string* facts_json = nullptr;  // the facts version the event created (submit, correct)
  bool first = false;                    // the case's first event: its identity too
};

std::string with_audit(std::string pl, const store::Case& c, const Moment& m) {
  namespace bj = boost::json;
  bj::object a;
  if (m.first) {
    a["case"] = {{"application_id", c.application_id}, {"applicant", c.applicant}, {"programme", c.programme},
                 {"call_year", c.call_year}, {"workflow", c.workflow}};
  }
  if (m.date) a["date"] = model::format_date(*m.date);
  a["facts_version"] = c.facts_version;
  if (m.facts_json) a["facts_sha256"] = store::sha256_hex(*m.facts_json);
  if (c.decision) {
    a["decision"] = {{"outcome", c.decision->outcome}, {"amount_fen", c.decision->amount_fen},
                     {"ruleset_hash", c.decision->ruleset_hash}, {"as_of", model::format_date(c.decision->as_of)}};
  } else {
    a["decision"] = nullptr;
  }
  auto opt = [](const std::optional<model::Fen>& v) { return v ? bj::value(*v) : bj::value(nullptr); };
  a["approved_fen"] = opt(c.approved_fen);
  a["allocated_fen"] = opt(c.allocated_fen);
  a["reserved_fen"] = c.reserved_fen;
  a["consumed_fen"] = c.consumed_fen;
  if (pl.empty() || pl.back() != '}') pl = "{}";
  pl.pop_back();
  if (pl.size() > 1) pl += ",";
  return pl + "\"audit\":" + bj::serialize(a) + "}";
}

void apply_summary(const workflow::Workflow& wf, const workflow::CaseState& st, store::Case& c) {
  auto sum = workflow::summarize(wf, st);
  c.stages = sum.stages;
  c.roles = sum.roles;
  c.deadlines.clear();
  for (const auto& [k, v] : sum.deadlines) c.deadlines[k] = v;
  c.state_json = workflow::to_json(st);
  c.timer_due = st.timer;
  c.closed = sum.terminal;
}

std::string stages_text(const store::Case& c) {
  std::string s;
  for (const auto& x : c.stages) s += (s.empty() ? "" : ",") + x;
  return s;
}

workflow::CaseState parse_state(const store::Case& c) {
  std::string err;
  auto st = workflow::case_state_from_json(c.state_json, &err);
  if (!st) throw ServiceError(ErrorKind::internal, "unreadable_state", "case " + std::to_string(c.id) + ": stored workflow state is unreadable: " + err);
  return *st;
}

const std::string& latest_facts(store::CaseRepository& repo, store::CaseId id, std::vector<store::FactsVersion>& keep) {
  keep = repo.facts_versions(id);
  if (keep.empty()) throw ServiceError(ErrorKind::internal, "no_facts", "case " + std::to_string(id) + " has no facts");
  return keep.back().facts_json;
}

// What the case's guards see and what it is paid: eligible, and the smallest of the decided,
// approved and allocated amounts (store::Case).
workflow::Decision guard_decision(const store::Case& c) {
  workflow::Decision d;
  if (c.decision) d = {c.decision->outcome == "eligible", payable(c)};
  return d;
}

ServiceError refused(const workflow::Refusal& r) {
  return ServiceError(ErrorKind::refused, workflow::refusal_kind_name(r.kind),
                      std::string("refused [") + workflow::refusal_kind_name(r.kind) + "]: " + r.message);
}


// Every recorded step names the person who took it.
void require_actor(const std::string& actor) {
  if (actor.find_first_not_of(" \t\r\n\v\f") == std::string::npos)
    throw ServiceError(ErrorKind::usage, "no_actor",
                       "the actor must name the person acting (it is " + std::string(actor.empty() ? "empty" : "blank") +
                           "); every event records who took the step",
                       {{"field", "actor"}});
}

}  // namespace

void check_version(const store::Case& c, const std::optional<std::int64_t>& expected) {
  if (expected && *expected != c.version)
    throw ServiceError(ErrorKind::conflict, "conflict",
                       "case " + std::to_string(c.id) + " is at version " + std::to_string(c.version) + ", not " +
                           std::to_string(*expected) + ": it changed since you read it; reload and retry",
                       {{"case", std::to_string(c.id)}, {"version", std::to_string(c.version)}});
}

std::string money(model::Fen fen) { return model::format_money_human(fen); }

bool is_terminal(const workflow::Workflow& wf, const std::string& stage) {
  int s = wf.find_stage(stage);
  return s >= 0 && wf.stage(static_cast<std::uint32_t>(s)).kind == eval::StageKind::terminal;
}

// ---------------------------------------------------------------- evaluation

void feed_awards(const eval::Ruleset& rs, const std::vector<store::Award>& all, int call_year, store::CaseId exclude_case,
                 model::Facts& facts) {
  std::vector<store::Award> awards;
  for (const auto& a : all)
    if (!exclude_case || a.case_id != exclude_case) awards.push_back(a);
  if (awards.empty()) return;
  auto hist = store::summarise_awards(awards, call_year);
  const auto& schema = rs.schema;
  if (const auto* f = schema.find_fact("prior_awards"); f && f->type.kind == model::Kind::TextSet) {
    auto& set = facts.sets[f->slot];
    for (const auto& p : hist.programmes)
      if (std::find(set.begin(), set.end(), p) == set.end()) set.push_back(p);
    facts.present[f->slot] = 1;
  }
  for (const auto& g : rs.groups) {
    if (g.already == eval::kNoNode) continue;
    const auto& n = rs.nodes[g.already];
    const std::uint32_t slot = eval::slot_of(n);
    if (n.op != eval::Op::Fact || n.kind != model::Kind::Money) continue;
    model::Fen paid = 0;
    for (auto pi : g.programs) {
      auto it = hist.paid_in_year.find(rs.programs[pi].id);
      if (it != hist.paid_in_year.end()) paid += it->second;
    }
    if (!facts.present[slot] || facts.values[slot] < paid) facts.set(slot, paid);
  }
  if (const auto* f = schema.find_fact("last_funded_year"); f && f->type.kind == model::Kind::Int) {
    int latest = 0;
    for (const auto& a : awards) latest = std::max(latest, a.year);
    if (latest && (!facts.present[f->slot] || facts.values[f->slot] < latest)) facts.set(f->slot, latest);
  }
}

namespace {

ServiceError undecodable(const DecodeError& err) {
  return ServiceError(ErrorKind::input, err.code, "facts: " + err.code + (err.field.empty() ? "" : " `" + err.field + "`") + ": " + err.message,
                      {{"field", err.field}});
}

}  // namespace

model::Facts decode_facts(const Env& env, const Programme& p, const std::string& facts_json) {
  auto reader = env.rules.reader(p.index);
  model::Facts facts;
  DecodeError err;
  std::string id;
  if (!reader->read(facts_json, facts, err, id)) throw undecodable(err);
  return facts;
}

namespace {

// The facts of `facts_json` decoded for programme `p`, with their application id (required).
Evaluated decode_submitted(const Env& env, const Programme& p, const std::string& facts_json) {
  Evaluated ev;
  {
    auto reader = env.rules.reader(p.index);
    DecodeError err;
    if (!reader->read(facts_json, ev.facts, err, ev.application_id)) throw undecodable(err);
  }
  if (ev.application_id.empty())
    throw ServiceError(ErrorKind::input, "missing_field", "facts: missing_field `id`: the application id is required", {{"field", "id"}});
  return ev;
}

// The key the applicant's awards are recorded under.
const std::string& awards_key(const Evaluated& ev, const std::string& applicant) {
  return applicant.empty() ? ev.application_id : applicant;
}

// Feeds `awards` back into decoded facts and evaluates them at `as_of`.
void decide(const Env& env, const Programme& p, Evaluated& ev, const std::vector<store::Award>& awards, model::Days as_of,
            store::CaseId exclude_case) {
  const auto& sel = env.rules.selection(p.index);
  feed_awards(env.rs, awards, model::year_of(as_of), exclude_case, ev.facts);
  model::Decision d;
  eval::evaluate(env.rs, ev.facts, as_of, d, &sel);
  const auto& pr = d.programs[p.index];
  ev.decision.outcome = model::outcome_name(pr.outcome);
  bool eligible = pr.outcome == model::Outcome::eligible;
  ev.decision.amount_fen = eligible ? pr.amount : 0;
  ev.decision.ruleset_hash = env.rs.hash;
  ev.decision.as_of = as_of;
  env.rules.writer().write(ev.decision.json, ev.application_id, d, as_of, nullptr, false, &sel);
  while (!ev.decision.json.empty() && ev.decision.json.back() == '\n') ev.decision.json.pop_back();
  ev.wf_decision = {eligible, ev.decision.amount_fen};
}

}  // namespace

Evaluated evaluate_facts(const Env& env, const Programme& p, const std::string& facts_json, model::Days as_of,
                         const std::string& applicant, store::CaseId exclude_case, const std::string& awards_until) {
  Evaluated ev = decode_submitted(env, p, facts_json);
  auto awards = env.repo.awards_for(awards_key(ev, applicant));
  if (!awards_until.empty()) std::erase_if(awards, [&](const store::Award& a) { return a.disbursed_at > awards_until; });
  decide(env, p, ev, awards, as_of, exclude_case);
  return ev;
}

std::string explain(const Env& env, const Programme& p, const std::string& facts_json, model::Days as_of,
                    const std::string& applicant, store::CaseId case_id, bool english) {
  auto ev = evaluate_facts(env, p, facts_json, as_of, applicant, case_id);
  const auto& sel = env.rules.selection(p.index);
  model::Decision d;
  eval::Explanation ex;
  eval::evaluate(env.rs, ev.facts, as_of, d, &sel, &ex);
  return eval::explain_text(env.rs, d, ex, english, &sel);
}

// ---------------------------------------------------------------- submit / import

namespace {

// The case and first event of the submission `r`, whose facts are evaluated (`ev`).
Prepared prepare_evaluated(const Env& env, const Programme& p, const SubmitRequest& r, Evaluated ev) {
  model::Days as_of = r.as_of.value_or(r.date);
  Prepared out;
  out.ev = std::move(ev);
  workflow::Context ctx{out.ev.facts, out.ev.wf_decision, env.cal};
  out.start = workflow::start(*p.wf, ctx, r.date);
  auto& c = out.nc.c;
  c.application_id = out.ev.application_id;
  c.applicant = r.applicant.empty() ? out.ev.application_id : r.applicant;
  if (!r.applicant.empty())
    if (auto problem = model::uscc_problem(r.applicant))
      out.warnings.push_back("applicant `" + r.applicant + "` is not a valid 统一社会信用代码 (GB 32100-2015): " + *problem +
                             "; the case is recorded under it as given");
  c.programme = r.programme;
  c.call_year = model::year_of(as_of);
  c.workflow = p.wf->name();
  c.workflow_version = 1;
  apply_summary(*p.wf, out.start.state, c);
  c.decision = out.ev.decision;
  stamp_visibility(env, c, r.date, &r.facts_json);
  out.nc.facts.facts_json = r.facts_json;
  out.nc.facts.reason = store::kFactsSubmitted;
  auto& e = out.event;
  e.actor = r.actor;
  e.role = "申报单位";
  e.action = "submit";
  e.to_stage = stages_text(c);
  c.facts_version = 1;
  e.payload_json = with_audit(payload(c.applicant, out.start.events, {}), c, Moment{r.date, &r.facts_json, true});
  return out;
}

}  // namespace

Prepared prepare(const Env& env, const Programme& p, const SubmitRequest& r) {
  require_actor(r.actor);
  return prepare_evaluated(env, p, r, evaluate_facts(env, p, r.facts_json, r.as_of.value_or(r.date), r.applicant));
}

std::vector<PreparedOrError> prepare_batch(const Env& env, const Programme& p, const SubmitRequest& r,
                                           std::span<const std::string> facts_json) {
  require_actor(r.actor);
  const model::Days as_of = r.as_of.value_or(r.date);
  std::vector<PreparedOrError> out(facts_json.size());
  std::vector<std::optional<Evaluated>> decoded(facts_json.size());
  std::vector<std::string> keys;
  keys.reserve(facts_json.size());
  for (std::size_t i = 0; i < facts_json.size(); ++i) {
    try {
      decoded[i] = decode_submitted(env, p, facts_json[i]);
      keys.push_back(awards_key(*decoded[i], r.applicant));
    } catch (const ServiceError& e) {
      out[i].error = e;
    }
  }
  const auto awards = env.repo.awards_of(keys);  // one look-up for the batch
  static const std::vector<store::Award> kNone;
  SubmitRequest one = r;
  for (std::size_t i = 0; i < facts_json.size(); ++i) {
    if (!decoded[i]) continue;
    try {
      auto it = awards.find(awards_key(*decoded[i], r.applicant));
      decide(env, p, *decoded[i], it == awards.end() ? kNone : it->second, as_of, 0);
      one.facts_json = facts_json[i];
      out[i].prepared = prepare_evaluated(env, p, one, std::move(*decoded[i]));
    } catch (const ServiceError& e) {
      out[i].error = e;
    }
  }
  return out;
}

namespace {

// Stores the sources of the ruleset decisions are about to be made with (once per hash; a no-op
// when they are stored), in a unit of work of its own before the decision's, so that no unit of
// work waits on the rulesets table while it holds a budget or a case.
void store_current_ruleset(const Env& env) {
  store::RulesetSources r;
  r.hash = env.rules.hash();
  r.files = env.rules.sources();
  if (!r.files.empty()) env.repo.store_ruleset(r);
}

}  // namespace

SubmitResult submit(const Env& env, const SubmitRequest& r) {
  auto p = env.rules.programme(r.programme);
  auto prep = prepare(env, p, r);
  SubmitResult res;
  if (auto existing = env.repo.find_by_application_id(prep.nc.c.application_id)) {
    res.id = *existing;
    res.c = env.repo.load_case(*existing);
    return res;
  }
  store_current_ruleset(env);
  store::Transaction tx(env.repo);
  try {
    res.id = env.repo.create_case(prep.nc.c, prep.nc.facts);
  } catch (const store::DuplicateApplicationError& d) {  // a concurrent submit won the race
    tx.rollback();
    res.id = d.existing_case() ? d.existing_case() : env.repo.find_by_application_id(prep.nc.c.application_id).value_or(0);
    res.c = env.repo.load_case(res.id);
    return res;
  }
  prep.event.case_id = res.id;
  env.repo.append_event(prep.event);
  tx.commit();
  res.created = true;
  res.c = env.repo.load_case(res.id);
  res.prepared = std::move(prep);
  return res;
}

std::size_t store_batch(const Env& env, std::vector<Prepared>& batch) {
  if (batch.empty()) return 0;
  std::vector<store::NewCase> ncs;
  std::vector<store::Event> events;
  ncs.reserve(batch.size());
  events.reserve(batch.size());
  for (auto& b : batch) {
    ncs.push_back(std::move(b.nc));
    events.push_back(std::move(b.event));
  }
  store_current_ruleset(env);
  auto results = env.repo.create_cases_with_events(ncs, events);  // one transaction
  std::size_t created = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    batch[i].nc = std::move(ncs[i]);
    batch[i].event = std::move(events[i]);
    if (!results[i].created) continue;
    batch[i].event.case_id = results[i].id;
    ++created;
  }
  return created;
}

// ---------------------------------------------------------------- act

namespace {

// Every budget movement of the case service, each on the case's own reservation (store::Case
// reserved_fen / consumed_fen; docs/cases.md §5). `c` is kept in step with what the store holds.
struct BudgetHooks {
  const Env& env;
  store::Case& c;
  std::vector<std::string>& notes;

  bool has_budget() { return env.repo.get_budget(c.programme, c.call_year).has_value(); }
  std::string key() const { return c.programme + "/" + std::to_string(c.call_year); }
  void no_budget() { notes.push_back("no budget configured for " + key() + ": no budget control"); }

  // Makes the case's reservation `amount` (reserving or releasing the difference); ServiceError refused
  // when the budget cannot take it. Without a budget nothing is reserved.
  void hold(model::Fen amount) {
    if (amount == c.reserved_fen) return;
    if (!has_budget()) {
      if (amount > 0) no_budget();
      return;
    }
    if (amount < c.reserved_fen) {
      const model::Fen freed = c.reserved_fen - amount;
      env.repo.release(c.id, freed);
      c.reserved_fen = amount;
      notes.push_back("released " + money(freed) + " of budget " + key() + " (the case now holds " + money(amount) + ")");
      return;
    }
    const model::Fen more = amount - c.reserved_fen;
    try {
      auto b = env.repo.reserve(c.id, more);
      c.reserved_fen = amount;
      notes.push_back("reserved " + money(more) + " of budget " + key() + " (the case holds " + money(amount) + ", available " +
                      money(b.available_fen()) + ")");
    } catch (const store::BudgetExceededError& e) {
      throw ServiceError(ErrorKind::refused, "budget_exceeded",
                         "refused [budget_exceeded]: budget " + key() + " cannot reserve " + money(more) + " for case " +
                             std::to_string(c.id) + ": only " + money(e.available()) + " available",
                         {{"case", std::to_string(c.id)}, {"budget", key()}, {"amount_fen", std::to_string(more)},
                          {"available_fen", std::to_string(e.available())}});
    }
  }
  void release() { hold(0); }

  // Pays the case: with a budget for its programme and year, the payment consumes the case's
  // reservation, taken now at its decided amount when it holds none (ServiceError refused when it does not
  // fit); without one, the decided amount is paid without budget control. Records the award.
  void disburse(const std::string& applicant, model::Days date) {
    const model::Fen decided = payable(c);
    model::Fen amount = 0;
    if (has_budget()) {
      if (c.reserved_fen == 0) hold(decided);
      amount = c.reserved_fen;
      if (amount > 0) {
        env.repo.consume(c.id, amount);
        c.reserved_fen = 0;
        c.consumed_fen += amount;
        notes.push_back("consumed " + money(amount) + " of budget " + key());
      }
    } else {
      amount = decided;
      notes.push_back("no budget configured for " + key() + ": disbursed the decided amount without budget control");
    }
    if (amount <= 0)
      throw ServiceError(ErrorKind::refused, "nothing_to_pay",
                         "refused [nothing_to_pay]: case " + std::to_string(c.id) + " has no amount to pay (decision: " +
                             (c.decision ? c.decision->outcome : std::string("none")) + " " + money(decided) + ")" +
                             (c.allocated_fen && *c.allocated_fen == 0
                                  ? "; its share in the last budget allocation is 0 — allocate again when the budget allows"
                                  : ""),
                         {{"case", std::to_string(c.id)}});
    store::Award a;
    a.applicant = applicant.empty() ? c.application_id : applicant;
    a.programme = c.programme;
    a.year = c.call_year;
    a.amount_fen = amount;
    a.case_id = c.id;
    a.disbursed_at = model::format_date(date);
    env.repo.record_award(a);
    notes.push_back("award recorded: " + a.applicant + " " + c.programme + "/" + std::to_string(c.call_year) + " " + money(amount));
  }
};

store::Event make_event(const store::Case& c, const std::string& actor, const std::string& role, const std::string& action,
                        const std::string& from, const std::string& note, std::string payload_json, const Moment& m = {}) {
  store::Event e;
  e.case_id = c.id;
  e.actor = actor;
  e.role = role;
  e.action = action;
  e.from_stage = from;
  e.to_stage = stages_text(c);
  e.note = note;
  e.payload_json = with_audit(std::move(payload_json), c, m);
  return e;
}

// Records the moves timers made (actor "system") in the open unit of work, releasing the
// reservation when they closed the case; returns what happened to the budget.
std::vector<std::string> record_timer_move(const Env& env, const workflow::Workflow& wf, store::Case& c, std::int64_t expected,
                                           const std::string& from, const std::vector<workflow::Event>& evs, model::Days date) {
  std::vector<std::string> notes;
  if (is_terminal(wf, c.stages.empty() ? std::string() : c.stages.front())) BudgetHooks{env, c, notes}.release();
  stamp_visibility(env, c, date);
  env.repo.update_case(c, expected);
  env.repo.append_event(make_event(c, "system", "system", "timer", from, "", payload("", evs, notes), Moment{date}));
  return notes;
}

// Stores only the moves timers made, in a unit of work of their own.
void store_timer_move(const Env& env, const workflow::Workflow& wf, store::Case c, std::int64_t expected,
                      const std::string& from, const std::vector<workflow::Event>& evs, model::Days date) {
  store::Transaction tx(env.repo);
  record_timer_move(env, wf, c, expected, from, evs, date);
  tx.commit();
}

// An officer may approve a smaller amount only with `approve`, at a stage the workflow marks
// `amount adjustable`, with a reason, more than 0 and not more than the case is granted now.
void check_amount_change(const workflow::Workflow& wf, const workflow::CaseState& at, const store::Case& c, const ActRequest& r) {
  const std::string id = std::to_string(c.id);
  if (r.action != "approve")
    throw ServiceError(ErrorKind::usage, "amount_not_allowed", "an amount can be given only with `approve` (not `" + r.action + "`)",
                       {{"field", "amount"}});
  if (!wf.amount_adjustable(at.stage))
    throw ServiceError(ErrorKind::refused, "amount_not_adjustable",
                       "refused [amount_not_adjustable]: case " + id + " is at stage `" + at.stage + "` of workflow `" + wf.name() +
                           "`, where the approval is of the decided amount (the workflow marks no `amount adjustable` there)",
                       {{"case", id}, {"stage", at.stage}});
  if (r.reason.find_first_not_of(" \t\r\n\v\f") == std::string::npos)
    throw ServiceError(ErrorKind::usage, "no_reason", "an approval of a smaller amount needs a reason (it is recorded with the event)",
                       {{"field", "reason"}});
  const model::Fen now = payable(c);
  if (!c.decision || c.decision->outcome != "eligible" || now <= 0)
    throw ServiceError(ErrorKind::refused, "not_eligible", "refused [not_eligible]: case " + id + " has no amount to approve",
                       {{"case", id}});
  if (*r.amount <= 0 || *r.amount > now)
    throw ServiceError(ErrorKind::usage, "amount_out_of_range",
                       "the approved amount must be more than 0 and at most the case's amount " + money(now) + " (it is " +
                           money(*r.amount) + "); to approve nothing, reject",
                       {{"field", "amount"}, {"max_fen", std::to_string(now)}});
}

// Money is paid only to a case whose row is what its history says (service/audit.hpp): a row edited
// outside the service (a stage jump, a larger amount) is refused here, before anything is paid.
void refuse_unless_history_matches(const Env& env, const store::Case& c, const std::vector<store::FactsVersion>& fvs) {
  std::vector<store::AuditFinding> found;
  const auto events = env.repo.events(c.id);
  replay_case(env, c, events, fvs, {}, found);
  if (found.empty()) return;
  throw ServiceError(ErrorKind::refused, "history_mismatch",
                     "refused [history_mismatch]: case " + std::to_string(c.id) +
                         " does not match its recorded history, so nothing is paid (run `subsidy audit verify`): " + found.front().message +
                         (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : ""),
                     {{"case", std::to_string(c.id)}});
}

}  // namespace

model::Fen approved_amount(const store::Case& c) {
  if (!c.decision || c.decision->outcome != "eligible") return 0;
  return c.approved_fen ? std::min(c.decision->amount_fen, *c.approved_fen) : c.decision->amount_fen;
}

model::Fen payable(const store::Case& c) { return store::payable_fen(c); }

ActResult act(const Env& env, const ActRequest& r) {
  require_actor(r.actor);
  auto c = env.repo.load_case(r.id);
  check_version(c, r.expected_version);
  auto p = env.rules.programme(c.programme);
  auto st = parse_state(c);
  std::vector<store::FactsVersion> fvs;
  auto facts = decode_facts(env, p, latest_facts(env.repo, c.id, fvs));
  if (r.action == "disburse") refuse_unless_history_matches(env, c, fvs);
  workflow::Decision dec = guard_decision(c);
  // Timers that ran out before the step's date are recorded as the system's moves.
  auto adv = workflow::advance(*p.wf, st, workflow::Context{facts, dec, env.cal}, r.date);
  if (r.amount) {  // an approval of a smaller amount: where the workflow allows it, with a reason
    check_amount_change(*p.wf, adv.state, c, r);
    store::Case approved = c;
    approved.approved_fen = *r.amount;
    dec = guard_decision(approved);  // the guards of the approval see the approved amount
  }
  workflow::Context ctx{facts, dec, env.cal};
  auto step = workflow::apply(*p.wf, adv.state, workflow::Step{r.action, r.role, r.date}, ctx);
  ActResult res;
  std::int64_t expected = c.version;
  std::string from_adv = stages_text(c);
  store::Case after_timer = c;
  apply_summary(*p.wf, adv.state, after_timer);
  std::string from = stages_text(after_timer);
  if (step.refusal) {
    // The refused step changes nothing, but a timer that moved the case before it (e.g. the
    // correction period ran out → closed) is stored, so the case shows where it really is.
    if (from != from_adv) store_timer_move(env, *p.wf, after_timer, expected, from_adv, adv.events, r.date);
    throw refused(*step.refusal);
  }
  apply_summary(*p.wf, step.state, c);
  if (r.amount) c.approved_fen = *r.amount;

  store::Transaction tx(env.repo);
  BudgetHooks hooks{env, c, res.budget_notes};
  bool terminal = is_terminal(*p.wf, c.stages.empty() ? std::string() : c.stages.front());
  try {
    if (r.action == "disburse") {
      hooks.disburse(c.applicant, r.date);
    } else if (terminal) {
      hooks.release();
    } else if (workflow::reserves_budget(*p.wf, step) && c.reserved_fen == 0 && dec.eligible && dec.amount > 0) {
      hooks.hold(dec.amount);  // the workflow's reserving stage approved the case
    } else if (c.reserved_fen > dec.amount) {
      hooks.hold(dec.amount);  // an approval of a smaller amount gives the difference back
    }
  } catch (const ServiceError&) {  // the budget refused the step: as for a workflow refusal, timers' moves are kept
    tx.rollback();
    if (from != from_adv) store_timer_move(env, *p.wf, after_timer, expected, from_adv, adv.events, r.date);
    throw;
  }
  stamp_visibility(env, c, r.date);
  env.repo.update_case(c, expected);
  if (from != from_adv) {  // timers moved the case before the step
    store::Case tc = after_timer;
    env.repo.append_event(make_event(tc, "system", "system", "timer", from_adv, "", payload("", adv.events, {}), Moment{r.date}));
  }
  std::string pl = payload("", step.events, res.budget_notes);
  if (r.amount) {  // the approved amount, the decision's and the reason are part of the chained event
    pl.pop_back();
    pl += ",\"amount\":{\"decided_fen\":" + std::to_string(c.decision->amount_fen) + ",\"approved_fen\":" +
          std::to_string(*r.amount) + ",\"reason\":" + quoted(r.reason) + "}}";
  }
  env.repo.append_event(make_event(c, r.actor, r.role, r.action, from, r.note, std::move(pl), Moment{r.date}));
  tx.commit();
  res.c = env.repo.load_case(c.id);
  res.step = std::move(step);
  return res;
}

// ---------------------------------------------------------------- timers

namespace {

// advance_case inside the open unit of work: lock, re-read, move, record.
AdvanceResult advance_locked(const Env& env, store::CaseId id, model::Days date) {
  AdvanceResult res;
  if (!env.repo.lock_case(id)) {
    res.skipped_locked = true;
    return res;
  }
  auto c = env.repo.load_case(id);  // read under the lock: what another advance left
  if (c.closed || !c.timer_due || *c.timer_due >= date) {
    res.c = std::move(c);
    return res;
  }
  auto p = env.rules.programme(c.programme);
  auto st = parse_state(c);
  std::vector<store::FactsVersion> fvs;
  auto facts = decode_facts(env, p, latest_facts(env.repo, c.id, fvs));
  workflow::Decision dec = guard_decision(c);
  auto adv = workflow::advance(*p.wf, st, workflow::Context{facts, dec, env.cal}, date);
  res.from = stages_text(c);
  const std::int64_t expected = c.version;
  apply_summary(*p.wf, adv.state, c);
  res.to = stages_text(c);
  if (res.to == res.from && c.timer_due == st.timer) {  // nothing ran out after all
    res.c = env.repo.load_case(id);
    return res;
  }
  const model::Fen held = c.reserved_fen;
  res.budget_notes = record_timer_move(env, *p.wf, c, expected, res.from, adv.events, date);
  res.released_fen = held - c.reserved_fen;
  res.moved = true;
  res.events = std::move(adv.events);
  res.c = env.repo.load_case(id);
  return res;
}

}  // namespace

AdvanceResult advance_case(const Env& env, store::CaseId id, model::Days date) {
  store::Transaction tx(env.repo);
  auto res = advance_locked(env, id, date);
  tx.commit();
  return res;
}

std::vector<AdvanceResult> advance_cases(const Env& env, std::span<const store::CaseId> ids, model::Days date) {
  std::vector<AdvanceResult> out;
  out.reserve(ids.size());
  store::Transaction tx(env.repo);
  for (auto id : ids) out.push_back(advance_locked(env, id, date));
  tx.commit();
  return out;
}

// ---------------------------------------------------------------- correct

CorrectResult correct(const Env& env, const CorrectRequest& r) {
  require_actor(r.actor);
  auto c = env.repo.load_case(r.id);
  check_version(c, r.expected_version);
  auto p = env.rules.programme(c.programme);
  const std::string applicant = c.applicant;
  model::Days as_of = c.decision ? c.decision->as_of : r.date;
  auto ev = evaluate_facts(env, p, r.facts_json, as_of, applicant, c.id);
  if (ev.application_id != c.application_id)
    throw ServiceError(ErrorKind::input, "id_changed",
                       "facts: `id` is `" + ev.application_id + "` but case " + std::to_string(c.id) + " is application `" +
                           c.application_id + "` (the application id never changes)",
                       {{"field", "id"}});
  // Where the case stands on the correction's date (a correction period may have run out), and
  // whether its workflow allows a correction there.
  auto st = parse_state(c);
  std::vector<store::FactsVersion> fvs;
  auto stored_facts = decode_facts(env, p, latest_facts(env.repo, c.id, fvs));
  workflow::Decision dec = guard_decision(c);
  auto adv = workflow::advance(*p.wf, st, workflow::Context{stored_facts, dec, env.cal}, r.date);
  std::int64_t expected = c.version;
  std::string from_adv = stages_text(c);
  apply_summary(*p.wf, adv.state, c);
  const bool timer_moved = stages_text(c) != from_adv;
  if (auto refusal = workflow::correction_refusal(*p.wf, adv.state)) {
    if (timer_moved) store_timer_move(env, *p.wf, c, expected, from_adv, adv.events, r.date);
    throw refused(*refusal);
  }
  CorrectResult res;
  if (c.decision) res.before = *c.decision;
  res.after = ev.decision;
  const store::Case moved = c;  // where the timers left it, before the correction (its timer event's state)
  c.decision = ev.decision;
  store_current_ruleset(env);
  store::Transaction tx(env.repo);
  // Budget first (every unit of work locks the budget before cases). A reservation that held the
  // whole decided amount follows the new one; an allocated (smaller) one is kept, never above it.
  if (c.reserved_fen > 0) {
    const model::Fen after = res.after.outcome == "eligible" ? res.after.amount_fen : 0;
    const model::Fen held = c.reserved_fen == res.before.amount_fen ? after : std::min(c.reserved_fen, after);
    BudgetHooks{env, c, res.budget_notes}.hold(held);
  }
  store::FactsVersion fv;
  fv.case_id = c.id;
  fv.facts_json = r.facts_json;
  fv.reason = store::kFactsCorrected;
  res.facts_version = env.repo.add_facts_version(fv);
  stamp_visibility(env, c, r.date, &r.facts_json);
  env.repo.update_case(c, expected);
  if (timer_moved)  // timers moved the case to another stage that allows corrections
    env.repo.append_event(make_event(moved, "system", "system", "timer", from_adv, "", payload("", adv.events, {}), Moment{r.date}));
  c.facts_version = res.facts_version;
  std::string pl = "{\"facts_version\":" + std::to_string(res.facts_version) + ",\"outcome\":{\"before\":" + quoted(res.before.outcome) +
                   ",\"after\":" + quoted(res.after.outcome) + "},\"amount_fen\":{\"before\":" + std::to_string(res.before.amount_fen) +
                   ",\"after\":" + std::to_string(res.after.amount_fen) + "}";
  if (!res.budget_notes.empty()) {
    pl += ",\"budget\":[";
    for (std::size_t i = 0; i < res.budget_notes.size(); ++i) pl += (i ? "," : "") + quoted(res.budget_notes[i]);
    pl += "]";
  }
  pl += "}";
  std::string stages = stages_text(c);
  env.repo.append_event(make_event(c, r.actor, "", "correct", stages, r.note, pl, Moment{r.date, &r.facts_json}));
  tx.commit();
  res.c = env.repo.load_case(c.id);
  return res;
}

// ---------------------------------------------------------------- queries

std::vector<workflow::AvailableAction> available_actions(const Env& env, store::CaseId id, const std::string& role,
                                                         model::Days date) {
  auto c = env.repo.load_case(id);
  auto p = env.rules.programme(c.programme);
  if (!role.empty()) {
    std::string why;
    if (!p.wf->parse_role(role, &why))
      throw ServiceError(ErrorKind::usage, "unknown_role", why.empty() ? "unknown role `" + role + "`" : why, {{"role", role}});
  }
  auto st = parse_state(c);
  std::vector<store::FactsVersion> fvs;
  auto facts = decode_facts(env, p, latest_facts(env.repo, c.id, fvs));
  return workflow::available_actions(*p.wf, st, workflow::Context{facts, guard_decision(c), env.cal}, role, date);
}

std::shared_ptr<const PreparedRules> stored_rules(store::CaseRepository& repo, const std::string& ruleset_hash, const Codec& codec,
                                                  const workflow::Calendar& calendar) {
  // Immutable values by hash: built once per process, shared by every caller and thread.
  static PreparedCache cache;
  return cache.get(ruleset_hash, [&]() -> std::shared_ptr<const PreparedRules> {
    auto stored = repo.load_ruleset(ruleset_hash);
    if (!stored) return nullptr;
    auto compiled = compile_files(stored->files);
    if (!compiled->ruleset || !compiled->workflows)
      throw ServiceError(ErrorKind::internal, "stored_ruleset_invalid",
                         "the stored ruleset " + ruleset_hash.substr(0, 12) + " no longer compiles with this version of subsidy",
                         {{"ruleset_hash", ruleset_hash}});
    return std::make_shared<const PreparedRules>(
        PreparedRules::Parts{compiled->ruleset, compiled->workflows, calendar, std::move(stored->files)}, codec);
  });
}

std::shared_ptr<const PreparedRules> rules_for(const Env& env, const std::string& ruleset_hash) {
  if (ruleset_hash == env.rules.hash()) return std::shared_ptr<const PreparedRules>(std::shared_ptr<const PreparedRules>{}, &env.rules);
  return stored_rules(env.repo, ruleset_hash, env.rules.codec(), env.cal);
}

// ---------------------------------------------------------------- allocate

AllocationResult allocate(const Env& env, const std::string& programme, int year, Allocation method,
                          const std::string& actor, bool preview) {
  require_actor(actor);
  auto p = env.rules.programme(programme);
  check_year(year);
  store::CaseFilter f;
  f.programme = programme;
  f.call_year = year;
  store::Transaction tx(env.repo);
  if (!env.repo.get_budget(programme, year))
    throw ServiceError(ErrorKind::refused, "no_budget",
                       "no budget for " + store::budget_name(programme, year) + ": set one with `subsidy budget set`",
                       {{"budget", store::budget_name(programme, year)}});
  std::vector<store::Case> open;
  for (auto& c : env.repo.list_cases(f)) {
    if (approved_amount(c) <= 0) continue;
    if (c.stages.empty() || is_terminal(*p.wf, c.stages.front())) continue;
    open.push_back(std::move(c));
  }
  AllocationResult res;
  std::vector<model::Fen> before;
  std::vector<std::vector<std::string>> notes(open.size());
  for (std::size_t i = 0; i < open.size(); ++i) {  // each case gives back its own reservation first
    before.push_back(open[i].reserved_fen);
    BudgetHooks{env, open[i], notes[i]}.release();
  }
  res.available = env.repo.get_budget(programme, year)->available_fen();
  for (const auto& c : open) res.demand += approved_amount(c);
  model::Fen left = res.available;
  for (std::size_t i = 0; i < open.size(); ++i) {
    auto& c = open[i];
    AllocationLine line{c.id, c.application_id, approved_amount(c), before[i], 0};
    if (method == Allocation::pro_rata) {
      if (res.demand <= res.available) {
        line.allocated = line.decided;
      } else {
        // floor to whole yuan of decided × available / demand, exact integer arithmetic
        auto v = model::mul_div_floor(line.decided, res.available, res.demand);
        line.allocated = v ? (*v / 100) * 100 : 0;
      }
    } else if (line.decided <= left) {
      line.allocated = line.decided;
    }
    left -= line.allocated;
    if (line.allocated > 0) env.repo.reserve(c.id, line.allocated);
    c.reserved_fen = line.allocated;  // as the repository now holds it (the event records it)
    c.allocated_fen = line.allocated;  // what the case is paid from now on (0: nothing, until a new allocation)
    stamp_visibility(env, c, model::today_cst());
    env.repo.update_case(c, c.version);  // a step that read the case before the allocation must reload it
    std::string pl = std::string("{\"method\":") + (method == Allocation::pro_rata ? "\"pro-rata\"" : "\"ranked\"") +
                     ",\"decided_fen\":" + std::to_string(line.decided) + ",\"before_fen\":" + std::to_string(line.before) +
                     ",\"allocated_fen\":" + std::to_string(line.allocated) + "}";
    std::string st = stages_text(c);
    env.repo.append_event(make_event(c, actor, "", "allocate", st, "", pl));
    res.lines.push_back(line);
  }
  env.repo.append_budget_event(allocation_event(programme, year, method, res, actor));
  res.budget = *env.repo.get_budget(programme, year);
  if (preview)
    tx.rollback();
  else
    tx.commit();
  return res;
}

// ---------------------------------------------------------------- budgets

void check_year(int year) {
  if (year < kFirstYear || year > kLastYear)
    throw ServiceError(ErrorKind::usage, "bad_year",
                       "year " + std::to_string(year) + " is not a call year (" + std::to_string(kFirstYear) + "–" +
                           std::to_string(kLastYear) + ")",
                       {{"field", "year"}});
}

store::Budget set_budget(const Env& env, const std::string& programme, int year, model::Fen total, const std::string& actor,
                         const std::string& note) {
  require_actor(actor);
  env.rules.programme(programme);
  check_year(year);
  if (total < 0) throw ServiceError(ErrorKind::usage, "negative_total", "a budget total cannot be negative", {{"field", "total"}});
  return env.repo.set_budget(programme, year, total, actor, note);
}

}  // namespace subsidy::service
