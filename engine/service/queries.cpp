// Read-side use cases (see queries.hpp).
#include "service/queries.hpp"

#include <algorithm>
#include <map>

#include "diag/suggest.hpp"
#include "eval/evaluate.hpp"
#include "model/case_attrs.hpp"
#include "workflow/case_state.hpp"
#include "workflow/roles.hpp"

namespace subsidy::service {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

// A name the rules do not declare: a usage error, with the closest known name ("did you mean") or
// else the names there are.
void check_known(const char* what, const char* code, const std::string& value, const std::vector<std::string>& known) {
  if (value.empty() || std::find(known.begin(), known.end(), value) != known.end()) return;
  std::string message = std::string("unknown ") + what + " `" + value + "`";
  if (auto close = diag::closest(value, known); !close.empty())
    message += "; did you mean `" + close + "`?";
  else
    message += known.empty() ? std::string("; the rules declare none") : "; the rules have: " + join(known, ", ");
  throw ServiceError(ErrorKind::usage, code, message, {{what, value}});
}

}  // namespace

store::CaseFilter inbox_filter(const Env& env, const InboxQuery& q) {
  std::vector<std::string> ids;
  for (const auto& p : env.rs.programs) ids.push_back(p.id);
  check_known("programme", "unknown_programme", q.programme, ids);
  std::vector<std::string> stages;
  for (const auto& wf : env.wfs.workflows)
    for (const auto& st : wf.spec().stages)
      if (std::find(stages.begin(), stages.end(), st.name) == stages.end()) stages.push_back(st.name);
  check_known("stage", "unknown_stage", q.stage, stages);
  if (!q.role.empty()) {  // a plain role or a family member, as the workflows' role declarations read it
    std::string why = "the rules declare no workflow";
    if (env.wfs.workflows.empty() || !env.wfs.workflows.front().parse_role(q.role, &why))
      throw ServiceError(ErrorKind::usage, "unknown_role", why, {{"role", q.role}});
  }
  store::CaseFilter f;
  if (!q.stage.empty()) f.stage = q.stage;
  if (!q.role.empty()) f.role = q.role;
  if (!q.programme.empty()) f.programme = q.programme;
  if (!q.applicant.empty()) f.applicant = q.applicant;
  f.overdue_as_of = q.overdue_as_of;
  if (!q.include_closed) f.closed = false;
  f.after_id = q.after_id;
  f.limit = q.limit;
  return f;
}

std::vector<store::Case> inbox(const Env& env, const InboxQuery& q) { return env.repo.list_cases(inbox_filter(env, q)); }

// ---------------------------------------------------------------- visibility

namespace {

bool holds_role(const Principal& who, std::string_view role) {
  return std::find(who.roles.begin(), who.roles.end(), role) != who.roles.end();
}

bool sees_all(const Principal& who) { return who.roles.empty() || holds_role(who, kAdminRole); }

bool shares_a_role(const std::vector<std::string>& roles, const Principal& who) {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& r) { return holds_role(who, r); });
}

}  // namespace

std::vector<std::string> resolve_case_roles(const Env& env, const store::Case& c, model::Days date, const std::string* facts_json) {
  std::vector<std::string> out = c.roles;
  const auto* wf = env.wfs.find(c.workflow);
  if (!wf || env.rs.find_program(c.programme) < 0) return out;
  model::Facts facts;
  try {
    std::vector<store::FactsVersion> fvs;
    if (!facts_json) {
      fvs = env.repo.facts_versions(c.id);
      if (fvs.empty()) return out;
      facts_json = &fvs.back().facts_json;
    }
    facts = decode_facts(env, env.rules.programme(c.programme), *facts_json);
  } catch (const ServiceError&) {  // facts this ruleset no longer decodes
    return out;
  }
  const bool eligible = c.decision && c.decision->outcome == "eligible";
  int corrections = 0;
  if (auto st = workflow::case_state_from_json(c.state_json)) corrections = st->corrections;
  for (auto& r : workflow::RoleResolver(*wf, facts, eligible, eligible ? payable(c) : 0, corrections).all_roles(date))
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
  return out;
}

std::vector<std::string> case_roles(const Env& env, const store::Case& c, model::Days date) {
  if (c.visibility_rules.empty() || c.visibility_rules != env.rules.hash()) return resolve_case_roles(env, c, date, nullptr);
  std::vector<std::string> out = c.roles;  // the current roles, then what was stored
  for (const auto& r : c.visible_roles)
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  return out;
}

void stamp_visibility(const Env& env, store::Case& c, model::Days date, const std::string* facts_json) {
  c.visible_roles = resolve_case_roles(env, c, date, facts_json);
  c.visibility_rules = env.rules.hash();
}

bool visible_to(const Env& env, const store::Case& c, const Principal& who, model::Days date) {
  if (sees_all(who) || shares_a_role(c.roles, who)) return true;
  return shares_a_role(case_roles(env, c, date), who);
}

store::Case load_visible(const Env& env, store::CaseId id, const Principal& who, model::Days date) {
  std::optional<store::Case> c;
  try {
    c = env.repo.load_case(id);
  } catch (const store::NotFoundError&) {
  }
  if (!c || !visible_to(env, *c, who, date))
    throw ServiceError(ErrorKind::not_found, "unknown_case", "no case " + std::to_string(id), {{"case", std::to_string(id)}});
  return *c;
}

namespace {

// The family members a county value names: "旗县区科技局[临河区]" has the member 临河区.
bool names_member(const std::vector<std::string>& roles, const std::string& member) {
  const std::string tail = "[" + member + "]";
  return std::any_of(roles.begin(), roles.end(),
                     [&](const std::string& r) { return r.size() > tail.size() && r.compare(r.size() - tail.size(), tail.size(), tail) == 0; });
}

void check_county(const Env& env, const std::string& county) {
  std::vector<std::string> members;
  for (const auto& role : env.rs.workflow_decls.roles) {
    if (role.family_enum < 0) continue;
    for (const auto& v : env.rs.schema.enums[static_cast<std::size_t>(role.family_enum)].values)
      if (std::find(members.begin(), members.end(), v.name) == members.end()) members.push_back(v.name);
  }
  check_known("county", "unknown_county", county, members);
}

}  // namespace

CasePage find_cases(const Env& env, const CaseQuery& q, const Principal& who, model::Days date) {
  if (!q.county.empty()) check_county(env, q.county);
  if (q.inbox && !q.filter.role.empty() && !holds_role(who, q.filter.role))
    throw ServiceError(ErrorKind::refused, "forbidden",
                       "forbidden: `" + who.user.name + "` does not hold the role `" + q.filter.role + "`, so it has no inbox for it",
                       {{"user", who.user.name}, {"role", q.filter.role}});
  InboxQuery all = q.filter;  // every match, for the counts; the page is cut below
  all.after_id = 0;
  all.limit = 0;
  store::CaseFilter f = inbox_filter(env, all);
  if (q.filter.only_closed) f.closed = true;
  if (!sees_all(who)) {  // the stored visibility narrows the rows; stale ones are resolved below
    f.visible_any = who.roles;
    f.visible_rules = env.rules.hash();
  }
  CasePage page;
  std::map<std::string, std::size_t> counts;
  for (auto& c : env.repo.list_cases(f)) {
    if (!q.q.empty() && c.application_id != q.q && c.applicant != q.q) continue;
    if (q.inbox && q.filter.role.empty() && !shares_a_role(c.roles, who)) continue;
    std::optional<std::vector<std::string>> roles;  // resolved once, when needed
    auto resolved = [&]() -> const std::vector<std::string>& {
      if (!roles) roles = case_roles(env, c, date);
      return *roles;
    };
    if (!sees_all(who) && !shares_a_role(c.roles, who) && !shares_a_role(resolved(), who)) continue;
    if (!q.county.empty() && !names_member(resolved(), q.county)) continue;
    for (const auto& st : c.stages) ++counts[st];
    if (c.id <= q.filter.after_id) continue;
    if (q.filter.limit && page.cases.size() == q.filter.limit) {
      page.next = page.cases.back().id;
      continue;
    }
    page.cases.push_back(std::move(c));
  }
  page.counts.assign(counts.begin(), counts.end());
  return page;
}

// ---------------------------------------------------------------- explanation

std::optional<CaseExplanation> explain_decision(const Env& env, const store::Case& c, bool english) {
  if (!c.decision) return std::nullopt;
  auto decided = rules_for(env, c.decision->ruleset_hash);
  const Env denv{decided ? *decided : env.rules, env.repo};
  auto fvs = env.repo.facts_versions(c.id);
  if (fvs.empty()) throw ServiceError(ErrorKind::internal, "no_facts", "case " + std::to_string(c.id) + " has no facts");
  CaseExplanation out;
  out.text = explain(denv, denv.rules.programme(c.programme), fvs.back().facts_json, c.decision->as_of, c.applicant, c.id, english);
  out.with_current_rules = !decided;
  return out;
}

std::string stage_label(const Env& env, const store::Case& c, const std::string& stage) {
  const auto* wf = env.wfs.find(c.workflow);
  if (!wf) return {};
  int s = wf->find_stage(stage);
  return s < 0 ? std::string() : wf->stage(static_cast<std::uint32_t>(s)).label.zh;
}

std::optional<RunningTimer> running_timer(const Env& env, const store::Case& c) {
  const auto* wf = env.wfs.find(c.workflow);
  if (!wf || !c.timer_due || c.closed) return std::nullopt;
  for (const auto& name : c.stages) {
    int s = wf->find_stage(name);
    if (s < 0) continue;
    const auto& st = wf->stage(static_cast<std::uint32_t>(s));
    if (!st.has_timer || st.timer_target < 0) continue;
    return RunningTimer{name, st.label.zh.empty() ? name : st.label.zh, *c.timer_due,
                        wf->stage(static_cast<std::uint32_t>(st.timer_target)).name, st.timer_label.zh};
  }
  return std::nullopt;
}

std::string timer_text(const RunningTimer& t) {
  return t.stage_label + " ends on " + model::format_date(t.ends) + ", then → " + t.then + (t.why.empty() ? "" : " (" + t.why + ")");
}

model::Fen shown_amount(const store::Case& c) { return c.consumed_fen > 0 ? c.consumed_fen : payable(c); }

}  // namespace subsidy::service
