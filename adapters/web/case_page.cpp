// The case page and its steps (case_page.hpp).
#include "web/case_page.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <functional>

#include "json/case_json.hpp"
#include "service/case_view.hpp"
#include "service/queries.hpp"
#include "workflow/case_state.hpp"
#include "workflow/render.hpp"
#include "web/embedded.hpp"
#include "web/forms.hpp"
#include "web/page.hpp"
#include "web/session.hpp"

namespace subsidy::web {

namespace bj = boost::json;
using http::Request;
using http::Response;
using service::ErrorKind;
using service::ServiceError;

namespace {

store::CaseId case_id(const Request& req) {
  const std::string& s = req.params.at(0);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0)
    throw ServiceError(ErrorKind::not_found, "unknown_case", "no case " + s, {{"case", s}});
  return v;
}

std::string str(const bj::value* v) {
  if (!v || v->is_null()) return {};
  return v->is_string() ? std::string(v->get_string()) : bj::serialize(*v);
}

std::string action_label(const workflow::Workflow* wf, const std::string& action, bool english) {
  if (wf)
    for (const auto& a : wf->decls().actions)
      if (a.name == action) return label_text(a.label, a.name, english);
  return action;
}

std::string stage_text(const workflow::Workflow* wf, const std::string& stages, bool english) {
  if (!wf) return stages;
  std::string out;
  std::size_t start = 0;
  while (start <= stages.size()) {
    auto comma = stages.find(',', start);
    std::string name = stages.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) {
      const int s = wf->find_stage(name);
      out += (out.empty() ? "" : "、") + (s >= 0 ? label_text(wf->stage(static_cast<std::uint32_t>(s)).label, name, english) : name);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The facts of the case with their labels (an enum value by its label).
bj::array fact_rows(const Visit& v, const bj::object& facts) {
  const auto& schema = v.rules->ruleset().schema;
  bj::array out;
  for (const auto& kv : facts) {
    const std::string name(kv.key());
    const auto* def = schema.find_fact(name);
    std::string value = str(&kv.value());
    if (def && def->type.kind == model::Kind::Enum && kv.value().is_string()) {
      const auto& e = schema.enums.at(def->type.enum_id);
      if (int i = e.find(value); i >= 0) value = label_text(e.values[static_cast<std::size_t>(i)].label, value, v.english);
    } else if (kv.value().is_bool()) {
      value = texts(v.english).at(kv.value().get_bool() ? "yes" : "no").as_string();
    }
    out.push_back(bj::object{{"label", def ? labelled(def->label, name, v.english) : name}, {"value", value}});
  }
  return out;
}

// The decision's programmes from the writer's structured explanation.
bj::object decision_model(const Visit& v, const store::Case& c) {
  bj::object d;
  auto json = service::explain_decision_json(v.env, c, v.english);
  if (!json) return d;
  bj::value parsed = bj::parse(*json);
  auto& o = parsed.as_object();
  d["as_of"] = str(o.if_contains("as_of"));
  d["total"] = str(o.if_contains("total"));
  d["total_before_caps"] = str(o.if_contains("total_before_caps"));
  d["capped"] = o.if_contains("capped") ? o.at("capped") : bj::value(false);
  d["illustrative"] = o.if_contains("illustrative") ? o.at("illustrative") : bj::value(false);
  d["caps"] = o.if_contains("caps") ? o.at("caps") : bj::array();
  bj::array programs;
  if (const auto* ps = o.if_contains("programs"))
    for (auto& kv : ps->as_object()) {
      bj::object p = kv.value().as_object();
      const std::string id(kv.key());
      p["id"] = id;
      if (const auto* t = texts(v.english).if_contains(str(p.if_contains("outcome")))) p["outcome"] = *t;
      // Each requirement with the reason it failed, when it did.
      bj::array reqs;
      if (auto* rs = p.if_contains("requirements"))
        for (auto& r : rs->as_array()) {
          bj::object q = r.as_object();
          if (auto* reasons = p.if_contains("reasons"))
            for (const auto& why : reasons->as_array())
              if (str(why.as_object().if_contains("requirement")) == str(q.if_contains("name"))) q["text"] = str(why.as_object().if_contains("text"));
          reqs.push_back(std::move(q));
        }
      p["requirements"] = std::move(reqs);
      bj::array params;
      if (auto* ps2 = p.if_contains("parameters"))
        for (auto& x : ps2->as_array()) {
          bj::object q = x.as_object();
          q["illustrative"] = str(q.if_contains("status")) == "illustrative";
          params.push_back(std::move(q));
        }
      p["has_parameters"] = !params.empty();
      p["parameters"] = std::move(params);
      bj::array steps;
      if (auto* ss = p.if_contains("steps"))
        for (auto& x : ss->as_array()) {
          const auto& so = x.as_object();
          steps.push_back(bj::object{{"kind", str(so.if_contains("kind"))}, {"ref", str(so.if_contains("ref"))},
                                     {"before", yuan(so.at("before_fen").to_number<long long>())},
                                     {"after", yuan(so.at("after_fen").to_number<long long>())}});
        }
      p["steps"] = std::move(steps);
      for (const auto& prog : v.rules->ruleset().programs)
        if (prog.id == id && p.if_contains("eligible") && p.at("eligible").is_bool() && p.at("eligible").get_bool())
          p["formula"] = prog.amount_text;
      if (!p.if_contains("illustrative")) p["illustrative"] = false;
      programs.push_back(std::move(p));
    }
  d["programs"] = std::move(programs);
  return d;
}

// 会签: who has voted what and what is still needed under the completion policy.
bj::value joint_model(const Visit& v, const store::Case& c, const workflow::Workflow* wf) {
  if (!wf) return nullptr;
  auto st = workflow::case_state_from_json(c.state_json);
  if (!st || st->reviewers.empty()) return nullptr;
  const int s = wf->find_stage(st->stage);
  using eval::JointPolicy;
  const JointPolicy policy = s >= 0 ? wf->stage(static_cast<std::uint32_t>(s)).joint : JointPolicy::none;
  const bool en = v.english;
  const char* policy_text = policy == JointPolicy::all        ? (en ? "all reviewers approve" : "全部同意方可通过")
                            : policy == JointPolicy::veto     ? (en ? "one rejection rejects" : "一票否决")
                            : policy == JointPolicy::majority ? (en ? "a majority approves" : "过半数同意")
                                                              : "—";
  bj::array reviewers;
  std::vector<std::string> waiting;
  for (const auto& r : st->reviewers) {
    auto vote = std::find_if(st->votes.begin(), st->votes.end(), [&](const auto& x) { return x.role == r; });
    std::string text = vote == st->votes.end() ? (en ? "not yet voted" : "尚未表决")
                                              : std::string(vote->approve ? (en ? "approved" : "同意") : (en ? "rejected" : "不同意")) +
                                                    " " + model::format_date(vote->date);
    if (vote == st->votes.end()) waiting.push_back(r);
    reviewers.push_back(bj::object{{"role", r}, {"vote", text}});
  }
  std::string needed;
  for (const auto& w : waiting) needed += (needed.empty() ? "" : "、") + w;
  needed = waiting.empty() ? (en ? "every reviewer has voted" : "全部会签单位已表决")
                           : (en ? "still to vote: " : "尚待表决：") + needed;
  return bj::object{{"policy", policy_text}, {"reviewers", std::move(reviewers)}, {"needed", needed}};
}

// The case page; `action_error` / `correct_error` show a refusal at its form.
Response case_page(Visit& v, store::CaseId id, unsigned status = 200, const std::string& action_error = {},
                   const std::string& correct_error = {}, const std::string& correct_field = {},
                   const bj::object* corrected = nullptr) {
  const auto c = service::load_visible(v.env, id, v.who, v.today);
  const auto* wf = v.env.wfs.find(c.workflow);
  bj::object m = model_of(v);
  m["id"] = c.id;
  m["application_id"] = c.application_id;
  m["programme"] = c.programme;
  for (const auto& p : v.rules->ruleset().programs)
    if (p.id == c.programme) m["programme_title"] = label_text(p.title, p.id, v.english);
  std::string stages;
  for (const auto& s : c.stages) stages += (stages.empty() ? "" : ",") + s;
  m["stage"] = stage_text(wf, stages, v.english);
  m["amount"] = yuan(service::shown_amount(c));
  m["version"] = c.version;
  if (auto due = store::next_due(c)) {
    m["due"] = model::format_date(*due);
    const int left = *due < v.today ? -v.env.cal.working_days_between(*due, v.today) : v.env.cal.working_days_between(v.today, *due);
    m["days_left"] = std::to_string(left);
  }
  if (v.query.text("done") == "1") m["notice"] = texts(v.english).at("done");

  const auto fvs = v.repo.facts_versions(c.id);
  bj::value facts = fvs.empty() ? bj::value(bj::object()) : bj::parse(fvs.back().facts_json);
  if (!facts.is_object()) facts = bj::object();
  m["facts"] = fact_rows(v, facts.as_object());
  for (auto& kv : decision_model(v, c)) m[kv.key()] = kv.value();
  if (auto t = service::running_timer(v.env, c)) {
    std::string stage = t->stage, then = t->then, why = v.english ? std::string() : t->why;
    if (wf) {
      if (int s = wf->find_stage(t->then); s >= 0) then = label_text(wf->stage(static_cast<std::uint32_t>(s)).label, t->then, v.english);
      if (int s = wf->find_stage(t->stage); s >= 0) {
        const auto& st = wf->stage(static_cast<std::uint32_t>(s));
        stage = label_text(st.label, t->stage, v.english);
        why = v.english ? st.timer_label.en : st.timer_label.zh;
      }
    }
    m["timer"] = bj::object{{"stage", stage}, {"ends", model::format_date(t->ends)}, {"then", then}, {"why", why}};
  }
  m["joint"] = joint_model(v, c, wf);

  bj::array actions;
  if (!v.role.empty() && wf && wf->parse_role(v.role))
    for (const auto& a : service::available_actions(v.env, c.id, v.role, v.today))
      actions.push_back(bj::object{{"id", c.id}, {"csrf", v.csrf}, {"version", c.version}, {"role", v.role},
                                   {"action", a.action}, {"label", action_label(wf, a.action, v.english)},
                                   {"leads_to", a.allowed ? stage_text(wf, a.leads_to, v.english) : std::string("—")},
                                   {"adjustable", a.amount_adjustable},
                                   {"refusal", a.refusal ? a.refusal->message : std::string()}});
  m["actions"] = std::move(actions);
  m["action_error"] = action_error;
  m["can_correct"] = v.role == "申报单位" && !c.closed;
  m["correct_error"] = correct_error;
  if (v.role == "申报单位" && !c.closed)
    m["fields_html"] = fact_fields_html(v, corrected ? corrected : &facts.as_object(), correct_field, correct_error);
  m["svg"] = wf ? workflow::render_svg(*wf, c.stages, v.english) : std::string();
  bj::array events;
  for (const auto& e : v.repo.events(c.id)) {
    bj::object o = json::event_object(e);
    bj::object ev{{"seq", o["seq"]}, {"date", o["date"]}, {"at", o["at"]}, {"actor", o["actor"]}, {"role", o["role"]},
                  {"action", action_label(wf, e.action, v.english)}, {"from", stage_text(wf, e.from_stage, v.english)},
                  {"to", stage_text(wf, e.to_stage, v.english)}, {"note", o["note"]}};
    if (auto* a = o.if_contains("amount")) ev["amount"] = *a;
    if (auto* r = o.if_contains("reason")) ev["reason"] = *r;
    events.push_back(std::move(ev));
  }
  m["events"] = std::move(events);
  return frame(v, texts(v.english).at("case").as_string().c_str() + std::string(" ") + std::to_string(c.id),
               render(embedded::case_page(), m), status);
}

std::optional<std::int64_t> version_of(const Form& f) {
  const std::string s = f.text("version");
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

// Runs `step`; a refusal (a ServiceError, or the store's lost optimistic lock or budget refusal) goes
// to `shown`, which renders it where it applies; an unknown case and database errors go to the error page.
Response showing_refusals(const std::function<Response()>& step, const std::function<Response(const ServiceError&)>& shown) {
  try {
    return step();
  } catch (const ServiceError& e) {
    if (e.kind() == ErrorKind::not_found) throw;
    return shown(e);
  } catch (const store::StoreError& e) {
    const auto se = service::to_service_error(e);
    if (se.kind() != ErrorKind::conflict && se.kind() != ErrorKind::refused) throw;
    return shown(se);
  }
}

// POST /desk/cases/{id}/act: without confirm=1 the confirmation page; with it the step, then 303
// to the case. A refusal is shown at the actions of the case page, with its status.
Response act(Visit& v) {
  const store::CaseId id = case_id(v.req);
  return showing_refusals([&] {
    const auto c = service::load_visible(v.env, id, v.who, v.today);
    const std::string action = v.form.text("action");
    if (action.empty()) throw ServiceError(ErrorKind::input, "missing_field", "the form has no `action`", {{"field", "action"}});
    service::ActRequest r;
    r.id = c.id;
    r.action = action;
    r.note = v.form.text("note");
    r.reason = v.form.text("reason");
    if (const std::string amount = v.form.text("amount"); !amount.empty()) {
      r.amount = model::parse_yuan(amount);
      if (!r.amount)
        throw ServiceError(ErrorKind::input, "bad_amount", "the changed amount is yuan such as 45000.00, not `" + amount + "`",
                           {{"field", "amount"}});
    }
    if (!r.amount && !r.reason.empty())
      throw ServiceError(ErrorKind::usage, "reason_without_amount", "a reason goes with a changed amount", {{"field", "reason"}});
    r.expected_version = version_of(v.form);
    service::check_version(c, r.expected_version);
    const std::string named = v.form.text("role").empty() ? v.role : v.form.text("role");
    r.role = service::acting_role(v.env, c, v.who, action, named.empty() ? std::nullopt : std::optional<std::string>(named), v.today);
    if (v.form.text("confirm") != "1") {
      bj::object m = model_of(v);
      m["id"] = c.id;
      m["action"] = action;
      m["label"] = action_label(v.env.wfs.find(c.workflow), action, v.english);
      m["role"] = r.role;
      m["version"] = c.version;
      m["note"] = r.note;
      m["amount"] = v.form.text("amount");
      m["reason"] = r.reason;
      return frame(v, std::string(texts(v.english).at("confirm").as_string()), render(embedded::confirm(), m));
    }
    r.actor = v.who.user.name;
    r.date = v.today;
    service::act(v.env, r);
    return redirect("/desk/cases/" + std::to_string(id) + "?done=1");
  }, [&](const ServiceError& e) { return case_page(v, id, http::status_of(e), refusal_text(e)); });
}

// POST /desk/cases/{id}/correct: the facts of the form as a correction (validated by the decoder
// as the API's), then 303 to the case; an error is shown at its field.
Response correct(Visit& v) {
  const store::CaseId id = case_id(v.req);
  const std::string facts_json = facts_json_of(v, v.form);
  bj::value facts = bj::parse(facts_json);
  return showing_refusals([&] {
    service::require_role(v.who, "申报单位");
    const auto c = service::load_visible(v.env, id, v.who, v.today);
    service::CorrectRequest r;
    r.id = c.id;
    r.facts_json = facts_json;
    r.note = v.form.text("note");
    r.expected_version = version_of(v.form);
    r.actor = v.who.user.name;
    r.date = v.today;
    service::correct(v.env, r);
    return redirect("/desk/cases/" + std::to_string(id) + "?done=1");
  }, [&](const ServiceError& e) {
    std::string field;
    for (const auto& [k, val] : e.details())
      if (k == "field") field = val;
    return case_page(v, id, http::status_of(e), {}, refusal_text(e), field, &facts.as_object());
  });
}

// GET /desk/cases/{id}/history.json: the same JSON as GET /v1/cases/{id}/history.
Response history_json(Visit& v) {
  const auto c = service::load_visible(v.env, case_id(v.req), v.who, v.today);
  bj::array events;
  for (const auto& e : v.repo.events(c.id)) events.push_back(json::event_object(e));
  Response r;
  r.body = bj::serialize(bj::object{{"events", std::move(events)}}) + "\n";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"case-" + std::to_string(c.id) + "-history.json\"");
  return secured(std::move(r));
}

}  // namespace

void add_case_page_routes(http::Router& router, const http::Services& services) {
  const http::Services* s = &services;
  router.add("GET", "/desk/cases/{id}", [s](Request& req) {
    return with_visit(*s, req, false, [&req](Visit& v) { return case_page(v, case_id(req)); });
  });
  router.add("POST", "/desk/cases/{id}/act", [s](Request& req) { return with_visit(*s, req, true, act); });
  router.add("POST", "/desk/cases/{id}/correct", [s](Request& req) { return with_visit(*s, req, true, correct); });
  router.add("GET", "/desk/cases/{id}/history.json", [s](Request& req) { return with_visit(*s, req, false, history_json); });
}

}  // namespace subsidy::web
