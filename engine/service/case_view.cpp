// The structured explanation of a case's decision and the acting role of a step (case_view.hpp).
#include "service/case_view.hpp"

#include <algorithm>

#include "service/queries.hpp"

namespace subsidy::service {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}

bool offers(const std::vector<workflow::AvailableAction>& actions, const std::string& action) {
  return std::any_of(actions.begin(), actions.end(), [&](const auto& a) { return a.action == action; });
}

}  // namespace

std::optional<std::string> explain_decision_json(const Env& env, const store::Case& c, bool english) {
  if (!c.decision) return std::nullopt;
  auto decided = rules_for(env, c.decision->ruleset_hash);
  const Env denv{decided ? *decided : env.rules, env.repo};
  auto fvs = env.repo.facts_versions(c.id);
  if (fvs.empty()) throw ServiceError(ErrorKind::internal, "no_facts", "case " + std::to_string(c.id) + " has no facts");
  const Programme p = denv.rules.programme(c.programme);
  const model::Days as_of = c.decision->as_of;
  auto ev = evaluate_facts(denv, p, fvs.back().facts_json, as_of, c.applicant, c.id);
  const auto& sel = denv.rules.selection(p.index);
  model::Decision d;
  eval::Explanation ex;
  ex.english = english;
  eval::evaluate(denv.rs, ev.facts, as_of, d, &sel, &ex);
  std::string out;
  denv.rules.writer().write(out, ev.application_id, d, as_of, &ex, english, &sel);
  return out;
}

std::vector<std::string> workflow_roles(const Env& env, const store::Case& c, const Principal& who) {
  std::vector<std::string> out;
  const auto* wf = env.wfs.find(c.workflow);
  if (!wf) return out;
  for (const auto& r : who.roles)
    if (wf->parse_role(r)) out.push_back(r);
  return out;
}

std::string acting_role(const Env& env, const store::Case& c, const Principal& who, const std::string& action,
                        const std::optional<std::string>& named, model::Days date) {
  if (named) require_role(who, *named);
  const std::vector<std::string> mine = named ? std::vector<std::string>{*named} : workflow_roles(env, c, who);
  std::vector<std::string> can;
  for (const auto& r : mine)
    if (offers(available_actions(env, c.id, r, date), action)) can.push_back(r);
  if (can.size() == 1) return can.front();
  const std::string id = std::to_string(c.id);
  if (can.size() > 1)
    throw ServiceError(ErrorKind::usage, "role_required",
                       "you hold several roles that may `" + action + "` case " + id + " now (" + join(can) + "): name one in `role`",
                       {{"field", "role"}, {"roles", join(can)}});
  std::vector<std::string> takers;
  for (const auto& a : available_actions(env, c.id, "", date))
    if (a.action == action)
      for (const auto& r : a.roles)
        if (std::find(takers.begin(), takers.end(), r) == takers.end()) takers.push_back(r);
  if (!takers.empty() || mine.empty())
    throw ServiceError(ErrorKind::refused, "forbidden",
                       "forbidden: " + (mine.empty() ? "`" + who.user.name + "` holds no role of this case's workflow"
                                                     : "`" + action + "` of case " + id + " is not for " + join(mine)) +
                           (takers.empty() ? std::string() : "; it may be taken now by " + join(takers)),
                       {{"user", who.user.name}, {"role", join(mine)}, {"may", join(takers)}});
  if (mine.size() == 1) return mine.front();
  throw ServiceError(ErrorKind::usage, "role_required",
                     "nobody may `" + action + "` case " + id + " now; name the role you act in, in `role`, to be told why",
                     {{"field", "role"}, {"roles", join(mine)}});
}

}  // namespace subsidy::service
