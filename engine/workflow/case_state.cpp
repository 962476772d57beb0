// CaseState <-> JSON text (Boost.JSON).
#include "workflow/case_state.hpp"

#include <boost/json.hpp>

#include "workflow/transition.hpp"

#include <set>

namespace subsidy::workflow {

namespace json = boost::json;

namespace {

json::value date_or_null(const std::optional<Days>& d) {
  if (!d) return nullptr;
  return json::value(model::format_date(*d));
}

struct Reader {
  std::string* error;
  bool ok = true;

  bool fail(std::string msg) {
    if (ok && error) *error = "case state: " + std::move(msg);
    ok = false;
    return false;
  }
  bool text(const json::value& v, const char* key, std::string& out) {
    if (!v.is_string()) return fail(std::string("`") + key + "` must be a string");
    out = std::string(v.as_string());
    return true;
  }
  bool date(const json::value& v, const char* key, Days& out) {
    if (v.is_string())
      if (auto d = model::parse_date(std::string_view(v.as_string()))) {
        out = *d;
        return true;
      }
    return fail(std::string("`") + key + "` must be a date (YYYY-MM-DD)");
  }
  bool opt_date(const json::value& v, const char* key, std::optional<Days>& out) {
    if (v.is_null()) {
      out.reset();
      return true;
    }
    if (v.is_string())
      if (auto p = model::parse_date(std::string_view(v.as_string()))) {
        out = *p;
        return true;
      }
    return fail(std::string("`") + key + "` must be a date (YYYY-MM-DD) or null");
  }
  bool integer(const json::value& v, const char* key, std::int32_t& out) {
    if (!v.is_int64() || v.as_int64() < 0 || v.as_int64() > INT32_MAX) return fail(std::string("`") + key + "` must be a non-negative integer");
    out = static_cast<std::int32_t>(v.as_int64());
    return true;
  }
  bool boolean(const json::value& v, const char* key, bool& out) {
    if (!v.is_bool()) return fail(std::string("`") + key + "` must be true or false");
    out = v.as_bool();
    return true;
  }
  bool object(const json::value& v, const char* what, const std::set<std::string_view>& keys, const json::object*& out) {
    if (!v.is_object()) return fail(std::string(what) + " must be an object");
    for (const auto& kv : v.as_object())
      if (!keys.count(kv.key())) return fail("unknown key `" + std::string(kv.key()) + "` in " + what);
    out = &v.as_object();
    return true;
  }
};

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object state_object(const CaseState& s) {
  json::object o;
  o["version"] = CaseState::kVersion;
  o["workflow"] = s.workflow;
  o["stage"] = s.stage;
  o["entered"] = model::format_date(s.entered);
  o["last"] = model::format_date(s.last);
  o["responsible"] = s.responsible;
  o["due"] = date_or_null(s.due);
  o["timer"] = date_or_null(s.timer);
  o["return_to"] = s.return_to;
  if (s.paused) {
    json::object p;
    p["stage"] = s.paused->stage;
    p["remaining"] = s.paused->remaining;
    p["working"] = s.paused->working;
    o["paused"] = std::move(p);
  } else {
    o["paused"] = nullptr;
  }
  o["corrections"] = s.corrections;
  o["reviewers"] = strings(s.reviewers);
  json::array votes;
  for (const auto& v : s.votes) {
    json::object vo;
    vo["role"] = v.role;
    vo["approve"] = v.approve;
    vo["date"] = model::format_date(v.date);
    votes.emplace_back(std::move(vo));
  }
  o["votes"] = std::move(votes);
  return o;
}

json::object event_object(const Event& e) {
  json::object o;
  o["kind"] = event_kind_name(e.kind);
  o["date"] = model::format_date(e.date);
  o["stage"] = e.stage;
  o["to"] = e.to;
  o["action"] = e.action;
  o["role"] = e.role;
  o["detail"] = e.detail;
  o["responsible"] = e.responsible;
  o["due"] = date_or_null(e.due);
  o["timer"] = date_or_null(e.timer);
  return o;
}

json::value refusal_value(const std::optional<Refusal>& r) {
  if (!r) return nullptr;
  json::object ref;
  ref["kind"] = refusal_kind_name(r->kind);
  ref["message"] = r->message;
  return ref;
}

}  // namespace

std::string to_json(const CaseState& s) { return json::serialize(state_object(s)); }
std::string to_json(const Event& e) { return json::serialize(event_object(e)); }

std::string to_json(const AvailableAction& a) {
  json::object o;
  o["action"] = a.action;
  o["stage"] = a.stage;
  o["roles"] = strings(a.roles);
  o["targets"] = strings(a.targets);
  o["amount_adjustable"] = a.amount_adjustable;
  o["allowed"] = a.allowed;
  o["leads_to"] = a.allowed ? json::value(a.leads_to) : json::value(nullptr);
  o["refusal"] = refusal_value(a.refusal);
  return json::serialize(o);
}

std::string to_json(const StepResult& r) {
  json::object o;
  o["applied"] = r.applied();
  o["refusal"] = refusal_value(r.refusal);
  json::array events;
  for (const auto& e : r.events) events.emplace_back(event_object(e));
  o["events"] = std::move(events);
  json::array dl;
  for (const auto& d : r.deadlines) {
    json::object x;
    x["stage"] = d.stage;
    x["kind"] = d.kind == Deadline::Kind::deadline ? "deadline" : "timer";
    x["date"] = model::format_date(d.date);
    dl.emplace_back(std::move(x));
  }
  o["deadlines"] = std::move(dl);
  o["state"] = state_object(r.state);
  return json::serialize(o);
}

std::optional<CaseState> case_state_from_json(std::string_view text, std::string* error) {
  Reader r{error};
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    r.fail("not valid JSON (" + ec.message() + ")");
    return std::nullopt;
  }
  static const std::set<std::string_view> keys = {"version", "workflow", "stage", "entered", "last", "responsible",
                                                  "due", "timer", "return_to", "paused", "corrections", "reviewers", "votes"};
  const json::object* o = nullptr;
  if (!r.object(v, "the case state", keys, o)) return std::nullopt;
  for (const char* required : {"version", "workflow", "stage", "entered"})
    if (!o->contains(required)) {
      r.fail(std::string("`") + required + "` is missing");
      return std::nullopt;
    }
  CaseState s;
  const auto& ver = o->at("version");
  if (!ver.is_int64() || ver.as_int64() < 1 || ver.as_int64() > CaseState::kVersion) {
    r.fail("`version` must be 1 to " + std::to_string(CaseState::kVersion) + " (written by a newer subsidy?)");
    return std::nullopt;
  }
  for (const auto& kv : *o) {
    std::string_view k = kv.key();
    const json::value& val = kv.value();
    if (k == "workflow") r.text(val, "workflow", s.workflow);
    else if (k == "stage") r.text(val, "stage", s.stage);
    else if (k == "entered") r.date(val, "entered", s.entered);
    else if (k == "last") r.date(val, "last", s.last);
    else if (k == "responsible") r.text(val, "responsible", s.responsible);
    else if (k == "due") r.opt_date(val, "due", s.due);
    else if (k == "timer") r.opt_date(val, "timer", s.timer);
    else if (k == "return_to") r.text(val, "return_to", s.return_to);
    else if (k == "corrections") r.integer(val, "corrections", s.corrections);
    else if (k == "paused") {
      if (val.is_null()) continue;
      const json::object* p = nullptr;
      if (!r.object(val, "`paused`", {"stage", "remaining", "working"}, p)) break;
      PausedClock pc;
      if (!p->contains("stage") || !p->contains("remaining") || !p->contains("working")) {
        r.fail("`paused` needs `stage`, `remaining` and `working`");
        break;
      }
      r.text(p->at("stage"), "paused.stage", pc.stage);
      r.integer(p->at("remaining"), "paused.remaining", pc.remaining);
      r.boolean(p->at("working"), "paused.working", pc.working);
      s.paused = pc;
    } else if (k == "reviewers") {
      if (!val.is_array()) {
        r.fail("`reviewers` must be an array of role names");
        break;
      }
      for (const auto& e : val.as_array()) {
        std::string role;
        if (!r.text(e, "reviewers[]", role)) break;
        s.reviewers.push_back(std::move(role));
      }
    } else if (k == "votes") {
      if (!val.is_array()) {
        r.fail("`votes` must be an array");
        break;
      }
      for (const auto& e : val.as_array()) {
        const json::object* vo = nullptr;
        if (!r.object(e, "a vote", {"role", "approve", "date"}, vo)) break;
        if (!vo->contains("role") || !vo->contains("approve") || !vo->contains("date")) {
          r.fail("a vote needs `role`, `approve` and `date`");
          break;
        }
        Vote vote;
        r.text(vo->at("role"), "votes[].role", vote.role);
        r.boolean(vo->at("approve"), "votes[].approve", vote.approve);
        r.date(vo->at("date"), "votes[].date", vote.date);
        s.votes.push_back(std::move(vote));
      }
    }
    if (!r.ok) break;
  }
  if (!r.ok) return std::nullopt;
  if (!o->contains("last")) s.last = s.entered;
  return s;
}

}  // namespace subsidy::workflow
