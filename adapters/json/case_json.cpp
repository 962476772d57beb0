// The JSON of cases, events, budgets, awards and audits (see case_json.hpp).
#include "json/case_json.hpp"

#include <boost/json.hpp>
#include <simdjson.h>

#include "model/money.hpp"

namespace subsidy::json {

namespace bj = boost::json;

namespace {

bj::value date_or_null(std::optional<model::Days> d) { return d ? bj::value(model::format_date(*d)) : bj::value(nullptr); }

bj::value fen_or_null(std::optional<model::Fen> f) { return f ? bj::value(*f) : bj::value(nullptr); }

// A stored payload as JSON (its text when it is not JSON; null when empty).
bj::value payload_value(const std::string& text) {
  if (text.empty()) return nullptr;
  bj::error_code ec;
  bj::value v = bj::parse(text, ec);
  return ec ? bj::value(text) : v;
}

// The workflow date of a stored event: the date of the last workflow event in its payload (the
// step itself; timers that fired before it are events of their own), else "".
std::string workflow_date(const bj::value& payload) {
  const auto* o = payload.if_object();
  const auto* wf = o ? o->if_contains("workflow") : nullptr;
  const auto* evs = wf ? wf->if_array() : nullptr;
  if (!evs || evs->empty()) return {};
  const auto* last = evs->back().if_object();
  const auto* date = last ? last->if_contains("date") : nullptr;
  return date && date->is_string() ? std::string(date->get_string()) : std::string();
}

}  // namespace

bj::object decision_object(const store::CaseDecision& d) {
  return {{"outcome", d.outcome},
          {"amount_fen", d.amount_fen},
          {"amount", model::format_yuan(d.amount_fen)},
          {"as_of", model::format_date(d.as_of)},
          {"ruleset_hash", d.ruleset_hash}};
}

bj::object case_object(const store::Case& c, std::optional<model::Days> today, const service::Env* env) {
  bj::object o;
  o["id"] = c.id;
  o["application_id"] = c.application_id;
  o["applicant"] = c.applicant;
  o["programme"] = c.programme;
  o["call_year"] = c.call_year;
  o["workflow"] = c.workflow;
  bj::array stages, roles;
  for (const auto& s : c.stages) stages.emplace_back(s);
  for (const auto& r : c.roles) roles.emplace_back(r);
  o["stages"] = std::move(stages);
  o["roles"] = std::move(roles);
  bj::object dl;
  for (const auto& [k, v] : c.deadlines) dl[k] = model::format_date(v);
  o["deadlines"] = std::move(dl);
  auto due = store::next_due(c);
  o["due"] = date_or_null(due);
  if (today) o["overdue"] = due && *due < *today;
  o["closed"] = c.closed;
  if (env) {
    auto t = service::running_timer(*env, c);
    o["timer"] = t ? bj::value(bj::object{{"stage", t->stage}, {"ends", model::format_date(t->ends)}, {"then", t->then}})
                   : bj::value(nullptr);
  }
  if (c.decision) {
    bj::object d;
    d["outcome"] = c.decision->outcome;
    d["amount_fen"] = c.decision->amount_fen;
    d["as_of"] = model::format_date(c.decision->as_of);
    d["ruleset_hash"] = c.decision->ruleset_hash;
    o["decision"] = std::move(d);
  } else {
    o["decision"] = nullptr;
  }
  o["approved_fen"] = fen_or_null(c.approved_fen);
  o["allocated_fen"] = fen_or_null(c.allocated_fen);
  o["payable_fen"] = service::payable(c);
  o["reserved_fen"] = c.reserved_fen;
  o["consumed_fen"] = c.consumed_fen;
  o["version"] = c.version;
  o["facts_version"] = c.facts_version;
  o["created_at"] = c.created_at;
  o["updated_at"] = c.updated_at;
  return o;
}

std::string case_json(const store::Case& c, std::optional<model::Days> today, const service::Env* env) {
  return bj::serialize(case_object(c, today, env));
}

bj::object event_object(const store::Event& e) {
  const bj::value payload = payload_value(e.payload_json);
  const std::string date = workflow_date(payload);
  bj::object j;
  j["case"] = e.case_id;
  j["seq"] = e.seq;
  j["date"] = date.empty() ? bj::value(nullptr) : bj::value(date);
  j["at"] = e.at;
  j["actor"] = e.actor;
  j["role"] = e.role;
  j["action"] = e.action;
  j["from"] = e.from_stage;
  j["to"] = e.to_stage;
  j["note"] = e.note;
  // An approval of a smaller amount records {"decided_fen","approved_fen","reason"} (service::act).
  const auto* po = payload.if_object();
  const auto* amount = po ? po->if_contains("amount") : nullptr;
  if (const auto* a = amount ? amount->if_object() : nullptr) {
    const auto* approved = a->if_contains("approved_fen");
    const auto* reason = a->if_contains("reason");
    if (approved && approved->is_int64()) {
      j["amount_fen"] = approved->as_int64();
      j["amount"] = model::format_yuan(approved->as_int64());
    }
    if (reason && reason->is_string()) j["reason"] = reason->as_string();
  }
  j["payload"] = e.payload_json.empty() ? bj::value("") : payload;
  j["prev_hash"] = e.prev_hash;
  j["hash"] = e.hash;
  return j;
}

bj::object timer_object(const service::RunningTimer& t) {
  return {{"stage", t.stage},      {"stage_label", t.stage_label}, {"ends", model::format_date(t.ends)},
          {"then", t.then},        {"why", t.why},                 {"text", service::timer_text(t)}};
}

bj::value action_value(const workflow::AvailableAction& a) { return bj::parse(workflow::to_json(a)); }

bj::value workflow_event_value(const workflow::Event& e) { return bj::parse(workflow::to_json(e)); }

bj::object budget_object(const store::Budget& b) {
  return {{"programme", b.programme},
          {"year", b.year},
          {"total_fen", b.total_fen},
          {"reserved_fen", b.reserved_fen},
          {"consumed_fen", b.consumed_fen},
          {"available_fen", b.available_fen()},
          {"total", model::format_yuan(b.total_fen)},
          {"reserved", model::format_yuan(b.reserved_fen)},
          {"consumed", model::format_yuan(b.consumed_fen)},
          {"available", model::format_yuan(b.available_fen())}};
}

bj::object budget_event_object(const store::BudgetEvent& e) {
  bj::object o{{"programme", e.programme}, {"year", e.year},   {"seq", e.seq},
               {"at", e.at},               {"actor", e.actor}, {"action", e.action},
               {"total_fen", e.total_fen}, {"total", model::format_yuan(e.total_fen)}, {"note", e.note}};
  o["payload"] = payload_value(e.payload_json);
  o["prev_hash"] = e.prev_hash;
  o["hash"] = e.hash;
  return o;
}

bj::object allocation_object(const service::AllocationResult& r) {
  bj::array lines;
  for (const auto& l : r.lines)
    lines.push_back(bj::object{{"case", l.id},
                               {"application_id", l.application_id},
                               {"decided_fen", l.decided},
                               {"before_fen", l.before},
                               {"allocated_fen", l.allocated},
                               {"allocated", model::format_yuan(l.allocated)}});
  return {{"budget", budget_object(r.budget)},
          {"demand_fen", r.demand},
          {"available_fen", r.available},
          {"lines", std::move(lines)}};
}

bj::object award_object(const store::Award& a) {
  bj::object o;
  o["id"] = a.id;
  o["applicant"] = a.applicant;
  o["programme"] = a.programme;
  o["year"] = a.year;
  o["amount_fen"] = a.amount_fen;
  o["amount"] = model::format_yuan(a.amount_fen);
  o["achievement"] = a.achievement ? bj::value(*a.achievement) : bj::value(nullptr);
  o["case_id"] = a.case_id ? bj::value(*a.case_id) : bj::value(nullptr);
  o["disbursed_at"] = a.disbursed_at;
  return o;
}

std::optional<std::string> member_text(std::string_view object_json, std::string_view key) {
  simdjson::padded_string padded(object_json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  for (auto field : object) {
    std::string_view name;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(name) || field.value().get(value)) return std::nullopt;
    if (name != key) continue;
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return std::nullopt;
    std::string_view raw;
    auto err = simdjson::SUCCESS;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      err = value.get_object().get(o);
      if (!err) err = o.raw_json().get(raw);
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      err = value.get_array().get(a);
      if (!err) err = a.raw_json().get(raw);
    } else {
      raw = value.raw_json_token();
    }
    if (err) return std::nullopt;
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    return std::string(raw);
  }
  return std::nullopt;
}

bj::object audit_object(const store::AuditReport& r) {
  bj::array findings;
  for (const auto& f : r.findings) {
    bj::object o;
    if (f.budget.empty()) {
      o["case"] = f.case_id;
    } else {
      o["budget"] = f.budget;
    }
    o["seq"] = f.seq;
    o["kind"] = store::finding_kind_name(f.kind);
    o["message"] = f.message;
    findings.push_back(std::move(o));
  }
  return {{"clean", r.clean()},       {"cases", r.cases},
          {"events", r.events},       {"budgets", r.budgets},
          {"budget_events", r.budget_events}, {"replayed", r.replayed},
          {"legacy", r.legacy},       {"awards", r.awards},
          {"findings", std::move(findings)}};
}

}  // namespace subsidy::json
