// Read-side use cases (see queries.hpp).
#include "service/queries.hpp"

#include <algorithm>

#include "diag/suggest.hpp"

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
