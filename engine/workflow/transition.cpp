// The pure transition function (docs/workflow.md §4, §6). Guards and role-family members are
// evaluated by the rule evaluator (eval::evaluate_node) on the case's facts and the step's date.
#include "workflow/transition.hpp"

#include <algorithm>

#include "eval/evaluate.hpp"
#include "workflow/render.hpp"
#include "workflow/roles.hpp"

namespace subsidy::workflow {

using eval::kNoNode;
using eval::StageKind;

const char* event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::created: return "created";
    case EventKind::entered: return "entered";
    case EventKind::vote: return "vote";
    case EventKind::joint_decided: return "joint_decided";
    case EventKind::timer: return "timer";
    case EventKind::clock_paused: return "clock_paused";
    case EventKind::clock_resumed: return "clock_resumed";
    case EventKind::overdue: return "overdue";
    case EventKind::no_responsible: return "no_responsible";
    case EventKind::no_transition: return "no_transition";
    case EventKind::calendar_gap: return "calendar_gap";
  }
  return "event";
}

const char* refusal_kind_name(RefusalKind k) {
  switch (k) {
    case RefusalKind::wrong_role: return "wrong_role";
    case RefusalKind::not_available: return "not_available";
    case RefusalKind::guard_false: return "guard_false";
    case RefusalKind::joint_pending: return "joint_pending";
    case RefusalKind::already_voted: return "already_voted";
    case RefusalKind::case_closed: return "case_closed";
    case RefusalKind::unknown_action: return "unknown_action";
    case RefusalKind::unknown_role: return "unknown_role";
    case RefusalKind::out_of_order: return "out_of_order";
    case RefusalKind::guard_error: return "guard_error";
    case RefusalKind::not_correctable: return "not_correctable";
  }
  return "refused";
}

Days period_end(const Calendar& cal, Days from, const eval::PeriodSpec& p) {
  return p.working ? cal.add_working_days(from, p.count) : cal.next_working_day(from + p.count);
}

std::vector<Deadline> deadlines(const CaseState& s) {
  std::vector<Deadline> out;
  if (s.due) out.push_back({s.stage, Deadline::Kind::deadline, *s.due});
  if (s.timer) out.push_back({s.stage, Deadline::Kind::timer, *s.timer});
  return out;
}

namespace {

std::string fmt(Days d) { return model::format_date(d); }

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

enum class JointOutcome { pending, approve, reject };

JointOutcome decide(eval::JointPolicy p, std::size_t n, std::size_t approvals, std::size_t rejections) {
  if (n == 0) return JointOutcome::approve;
  switch (p) {
    case eval::JointPolicy::all:
      if (approvals + rejections < n) return JointOutcome::pending;
      return rejections == 0 ? JointOutcome::approve : JointOutcome::reject;
    case eval::JointPolicy::veto:
      if (rejections > 0) return JointOutcome::reject;
      return approvals == n ? JointOutcome::approve : JointOutcome::pending;
    case eval::JointPolicy::majority:
      if (approvals * 2 > n) return JointOutcome::approve;
      if ((n - rejections) * 2 <= n) return JointOutcome::reject;
      return JointOutcome::pending;
    case eval::JointPolicy::none: break;
  }
  return JointOutcome::approve;
}

const char* policy_name(eval::JointPolicy p) {
  switch (p) {
    case eval::JointPolicy::all: return "all";
    case eval::JointPolicy::veto: return "veto";
    case eval::JointPolicy::majority: return "majority";
    case eval::JointPolicy::none: break;
  }
  return "none";
}

struct Run {
  const Workflow& wf;
  const Context& ctx;
  StepResult res;

  const eval::Ruleset& rs() const { return wf.ruleset(); }
  std::uint32_t stage_index() const { return static_cast<std::uint32_t>(wf.find_stage(res.state.stage)); }
  const eval::StageSpec& cur() const { return wf.stage(stage_index()); }
  const Calendar& cal() const { return ctx.calendar; }
  std::string stage_ref(const eval::StageSpec& st) const {
    return "`" + st.name + "`" + (st.label.zh.empty() ? "" : " (" + st.label.zh + ")");
  }

  void event(EventKind k, Days d, std::string stage, std::string to = {}, std::string action = {}, std::string role = {},
             std::string detail = {}) {
    res.events.push_back({k, d, std::move(stage), std::move(to), std::move(action), std::move(role), std::move(detail)});
  }
  void refuse(RefusalKind k, std::string message) { res.refusal = Refusal{k, std::move(message)}; }

  // Guards and roles see the case's facts, its decision and its corrections so far (roles.hpp).
  RoleResolver resolver() const {
    return RoleResolver(wf, ctx.facts, ctx.decision.eligible, ctx.decision.amount, res.state.corrections);
  }
  GuardValue guard(std::uint32_t node, Days date) const { return resolver().guard(node, date); }
  std::optional<RoleInstance> member_of(const eval::RoleRefSpec& r, Days date) const { return resolver().member(r, date); }
  std::optional<RoleInstance> resolve_line(const eval::GuardedRoleSpec& l, Days date) const { return resolver().resolve_line(l, date); }

  void gap_check(Days d, Days date, const std::string& what) {
    if (!cal().covers(d))
      event(EventKind::calendar_gap, date, res.state.stage, {}, {}, {},
            what + " " + fmt(d) + " is beyond the calendar's data" +
                (cal().last_year() ? " (" + std::to_string(cal().first_year()) + "–" + std::to_string(cal().last_year()) + ")" : "") +
                ": computed with Monday–Friday only");
  }

  // The case arrives in stage `target` on `date`. `resume`: the paused deadline to restart.
  // `announce`: the created/entered event to complete with the responsible role and dates.
  void arrive(std::uint32_t target, Days date, const std::optional<PausedClock>& resume, std::size_t announce) {
    auto& s = res.state;
    const auto& to = wf.stage(target);
    s.stage = to.name;
    s.entered = date;
    s.due.reset();
    s.timer.reset();
    s.responsible.clear();
    s.reviewers.clear();
    s.votes.clear();
    if (to.kind == StageKind::terminal) {
      s.paused.reset();
      s.return_to.clear();
      return;
    }
    if (resume && resume->stage == to.name) {
      s.due = resume->working ? cal().add_working_days(date, resume->remaining) : cal().next_working_day(date + resume->remaining);
      event(EventKind::clock_resumed, date, to.name, to.name, {}, {},
            std::to_string(resume->remaining) + (resume->working ? " working" : "") + " day" + (resume->remaining == 1 ? "" : "s") +
                " left: due " + fmt(*s.due));
    } else if (to.has_deadline) {
      s.due = period_end(cal(), date, to.deadline);
    }
    if (s.due) gap_check(*s.due, date, "the deadline");
    if (to.has_timer) {
      s.timer = period_end(cal(), date, to.timer);
      gap_check(*s.timer, date, "the end of the `after` period");
    }
    for (const auto& line : to.responsible)
      if (auto r = resolve_line(line, date)) {
        s.responsible = wf.role_name(*r);
        break;
      }
    if (!to.responsible.empty() && s.responsible.empty())
      event(EventKind::no_responsible, date, to.name, {}, {}, {}, "no `responsible` line of stage `" + to.name + "` applies to this case");
    if (to.joint != eval::JointPolicy::none) {
      for (const auto& line : to.reviewers)
        if (auto r = resolve_line(line, date)) {
          std::string name = wf.role_name(*r);
          if (std::find(s.reviewers.begin(), s.reviewers.end(), name) == s.reviewers.end()) s.reviewers.push_back(name);
        }
    }
    auto& ev = res.events.at(announce);
    ev.responsible = s.reviewers.empty() ? s.responsible : join(s.reviewers);
    ev.due = s.due;
    ev.timer = s.timer;
    if (to.joint != eval::JointPolicy::none && s.reviewers.empty()) {
      event(EventKind::joint_decided, date, to.name, {}, {}, "system", "approve: the joint review selected no reviewer");
      conclude_joint(true, date);
    }
  }

  // The case leaves the current stage for `target` by `action` of `role` (a timer when role is "system").
  void move(std::uint32_t target, Days date, const std::string& action, const std::string& role, const std::string& label,
            bool via_back) {
    auto& s = res.state;
    const auto& from = cur();
    const std::string from_name = s.stage;
    const auto& to = wf.stage(target);
    if (s.due && date > *s.due)
      event(EventKind::overdue, date, from_name, {}, action, role,
            "due " + fmt(*s.due) + ", taken " + std::to_string(date - *s.due) + " day" + (date - *s.due == 1 ? "" : "s") + " later");
    std::optional<PausedClock> resume;
    if (to.kind == StageKind::correction) {
      if (from.kind != StageKind::correction) {  // a return for correction: stop the clock
        s.return_to = from_name;
        s.paused.reset();
        if (s.due) {
          bool working = from.has_deadline ? from.deadline.working : true;
          auto left = working ? cal().working_days_between(date, *s.due) : std::max<std::int32_t>(0, *s.due - date);
          s.paused = PausedClock{from_name, left, working};
          event(EventKind::clock_paused, date, from_name, to.name, action, role,
                std::to_string(left) + (working ? " working" : "") + " day" + (left == 1 ? "" : "s") + " left of the deadline " +
                    fmt(*s.due));
        }
      }
      s.corrections += 1;
    } else {
      if (via_back) resume = s.paused;
      s.paused.reset();
      s.return_to.clear();
    }
    event(EventKind::entered, date, from_name, to.name, action, role, label);
    arrive(target, date, resume, res.events.size() - 1);
  }

  void conclude_joint(bool approve, Days date) {
    const auto& st = cur();
    const char* name = approve ? "approve" : "reject";
    std::string error;
    for (const auto& t : st.transitions) {
      if (wf.decls().actions[t.action].name != name || t.back) continue;
      auto g = guard(t.guard, date);
      if (g.error) {  // never fall through to a later transition on an evaluation error
        error = "; the guard `" + t.guard_text + "` could not be evaluated: " + g.message;
        break;
      }
      if (g.value) {
        move(static_cast<std::uint32_t>(t.target), date, name, "system", t.label.zh, false);
        return;
      }
    }
    event(EventKind::no_transition, date, st.name, {}, name, "system",
          std::string("the joint review decided `") + name + "` but no `on " + name + "` transition is enabled" + error);
  }

  void advance_to(Days date) {
    for (int guard_loop = 0; guard_loop < 10000; ++guard_loop) {
      auto& s = res.state;
      const auto& st = cur();
      if (st.kind == StageKind::terminal || !s.timer || *s.timer >= date) break;
      Days at = *s.timer;
      event(EventKind::timer, at, s.stage, wf.stage(static_cast<std::uint32_t>(st.timer_target)).name, {}, "system",
            "the " + period_text(st.timer) + " of stage `" + st.name + "` ended on " + fmt(at));
      move(static_cast<std::uint32_t>(st.timer_target), at, {}, "system", st.timer_label.zh, false);
      s.last = std::max(s.last, at);
    }
  }

  bool is_vote(std::uint32_t action) const {
    const std::string& a = wf.decls().actions[action].name;
    return cur().joint != eval::JointPolicy::none && (a == "approve" || a == "reject");
  }

  // Who may take `action` at the current stage, as role names with family members resolved: the
  // reviewers yet to vote for a joint review's votes; else, over the action's transitions in order,
  // the responsible role (for those without `by`) and the roles named by `by` (a whole family: each
  // member).
  std::vector<std::string> takers(std::uint32_t action, Days date) const {
    const auto& s = res.state;
    std::vector<std::string> out;
    auto add = [&](std::string name) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    };
    if (is_vote(action)) {
      for (const auto& r : s.reviewers)
        if (std::none_of(s.votes.begin(), s.votes.end(), [&](const Vote& v) { return v.role == r; })) add(r);
      return out;
    }
    for (const auto& t : cur().transitions) {
      if (t.action != action) continue;
      if (t.by.empty() && !s.responsible.empty()) add(s.responsible);
      for (const auto& b : t.by)
        for (auto& name : resolver().named_by(b, date)) add(std::move(name));
    }
    return out;
  }

  // The actions of the current stage in order (a joint review's votes first), each with its takers.
  std::vector<std::pair<std::uint32_t, std::vector<std::string>>> offers(Days date) const {
    std::vector<std::pair<std::uint32_t, std::vector<std::string>>> out;
    auto add = [&](std::uint32_t a) {
      if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.first == a; })) out.emplace_back(a, takers(a, date));
    };
    if (cur().joint != eval::JointPolicy::none)
      for (const char* vote : {"approve", "reject"}) add(static_cast<std::uint32_t>(wf.decls().find_action(vote)));
    for (const auto& t : cur().transitions) add(t.action);
    return out;
  }

  // The stages `action` of `actor` can lead to from the current stage.
  std::vector<std::string> targets(std::uint32_t action, RoleInstance actor, const std::string& actor_name, Days date) const {
    std::vector<std::string> out;
    const bool vote = is_vote(action);
    const std::string& aname = wf.decls().actions[action].name;
    for (const auto& t : cur().transitions) {
      if (vote ? (wf.decls().actions[t.action].name != aname || t.back) : (t.action != action || !role_matches(t, actor, actor_name, date)))
        continue;
      std::string to = !t.back ? wf.stage(static_cast<std::uint32_t>(t.target)).name : res.state.return_to;
      if (!to.empty() && std::find(out.begin(), out.end(), to) == out.end()) out.push_back(std::move(to));
    }
    return out;
  }

  bool role_matches(const eval::TransitionSpec& t, RoleInstance actor, const std::string& actor_name, Days date) const {
    if (t.by.empty()) return !res.state.responsible.empty() && actor_name == res.state.responsible;
    for (const auto& b : t.by) {
      if (b.index == kNoNode) {
        if (b.role == actor.role) return true;
        continue;
      }
      if (auto m = member_of(b, date); m && *m == actor) return true;
    }
    return false;
  }

  void vote(RoleInstance, const std::string& actor_name, bool approve, const std::string& action, Days date) {
    auto& s = res.state;
    const auto& st = cur();
    auto pending = [&] {
      std::vector<std::string> out;
      for (const auto& r : s.reviewers)
        if (std::none_of(s.votes.begin(), s.votes.end(), [&](const Vote& v) { return v.role == r; })) out.push_back(r);
      return out;
    };
    if (std::find(s.reviewers.begin(), s.reviewers.end(), actor_name) == s.reviewers.end()) {
      if (!s.responsible.empty() && actor_name == s.responsible)
        refuse(RefusalKind::joint_pending, "the joint review of stage " + stage_ref(st) + " is still pending: waiting for " +
                                               join(pending()) + "; the case moves on when its policy (" + policy_name(st.joint) +
                                               ") is met");
      else
        refuse(RefusalKind::wrong_role, "`" + actor_name + "` is not a reviewer in the joint review of stage " + stage_ref(st) +
                                            "; the reviewers of this case are " + join(s.reviewers));
      return;
    }
    for (const auto& v : s.votes)
      if (v.role == actor_name) {
        auto p = pending();
        refuse(RefusalKind::already_voted, "`" + actor_name + "` already voted (" + (v.approve ? "approve" : "reject") + " on " +
                                               fmt(v.date) + ")" + (p.empty() ? "" : "; still waiting for " + join(p)));
        return;
      }
    s.votes.push_back({actor_name, approve, date});
    std::size_t approvals = 0, rejections = 0;
    for (const auto& v : s.votes) (v.approve ? approvals : rejections) += 1;
    auto outcome = decide(st.joint, s.reviewers.size(), approvals, rejections);
    auto p = pending();
    event(EventKind::vote, date, st.name, {}, action, actor_name,
          std::string(approve ? "approve" : "reject") + " (" + std::to_string(approvals) + " approve, " + std::to_string(rejections) +
              " reject of " + std::to_string(s.reviewers.size()) + ")" +
              (outcome == JointOutcome::pending ? "; waiting for " + join(p) : ""));
    if (outcome == JointOutcome::pending) return;
    bool ok = outcome == JointOutcome::approve;
    event(EventKind::joint_decided, date, st.name, {}, {}, "system",
          std::string(ok ? "approve" : "reject") + " by policy " + policy_name(st.joint));
    conclude_joint(ok, date);
  }

  void take(std::uint32_t action, RoleInstance actor, Days date) {
    const auto& st = cur();
    const std::string& aname = wf.decls().actions[action].name;
    const std::string actor_name = wf.role_name(actor);
    if (st.joint != eval::JointPolicy::none && (aname == "approve" || aname == "reject")) {
      vote(actor, actor_name, aname == "approve", aname, date);
      return;
    }
    std::vector<const eval::TransitionSpec*> candidates, mine;
    for (const auto& t : st.transitions)
      if (t.action == action) candidates.push_back(&t);
    if (candidates.empty()) {
      std::vector<std::string> avail;
      for (const auto& [a, who] : offers(date))
        avail.push_back(wf.decls().actions[a].name +
                        (who.empty() ? " (no `responsible` line applies to this case)" : " by " + join(who, " or ")));
      if (st.has_timer && res.state.timer) avail.push_back("(the stage ends by itself after " + fmt(*res.state.timer) + ")");
      refuse(RefusalKind::not_available, "`" + aname + "` is not available at stage " + stage_ref(st) +
                                             (avail.empty() ? "" : "; available here: " + join(avail, "; ")));
      return;
    }
    for (const auto* t : candidates)
      if (role_matches(*t, actor, actor_name, date)) mine.push_back(t);
    if (mine.empty()) {
      auto who = takers(action, date);
      refuse(RefusalKind::wrong_role, "`" + actor_name + "` cannot `" + aname + "` at stage " + stage_ref(st) + ": " +
                                          (who.empty() ? "no `responsible` line of the stage applies to this case"
                                                       : "only " + join(who, " or ") + " can"));
      return;
    }
    std::vector<std::string> failed;
    for (const auto* t : mine) {
      auto g = guard(t->guard, date);
      if (g.error) {  // never fall through to a later transition on an evaluation error
        refuse(RefusalKind::guard_error, "`" + aname + "` at stage " + stage_ref(st) + ": the guard `" + t->guard_text +
                                             "` could not be evaluated: " + g.message);
        return;
      }
      if (!g.value) {
        failed.push_back("`" + t->guard_text + "`");
        continue;
      }
      std::int32_t target = t->target;
      if (t->back) {
        target = res.state.return_to.empty() ? -1 : wf.find_stage(res.state.return_to);
        if (target < 0) {
          refuse(RefusalKind::not_available, "`" + aname + "` -> back: no stage returned this case for correction");
          return;
        }
      }
      move(static_cast<std::uint32_t>(target), date, aname, actor_name,
           t->label.zh.empty() ? std::string() : t->label.zh + (t->label.en.empty() ? "" : " / " + t->label.en), t->back);
      return;
    }
    refuse(RefusalKind::guard_false, "`" + aname + "` at stage " + stage_ref(st) + " needs " + join(failed, " or ") +
                                         ", which " + (failed.size() == 1 ? "is" : "are all") + " false for this case");
  }

  StepResult finish() {
    res.deadlines = deadlines(res.state);
    return std::move(res);
  }
};

}  // namespace

StepResult start(const Workflow& wf, const Context& ctx, Days date) {
  Run r{wf, ctx, {}};
  auto& s = r.res.state;
  s.workflow = wf.name();
  s.stage = wf.stage(wf.spec().start).name;
  s.last = date;
  r.event(EventKind::created, date, {}, s.stage, {}, {}, {});
  r.arrive(wf.spec().start, date, std::nullopt, r.res.events.size() - 1);
  return r.finish();
}

StepResult advance(const Workflow& wf, const CaseState& state, const Context& ctx, Days date) {
  Run r{wf, ctx, {state, {}, std::nullopt, {}}};
  if (wf.find_stage(state.stage) < 0) {
    r.refuse(RefusalKind::not_available, "the case is in stage `" + state.stage + "`, which workflow `" + wf.name() + "` does not have");
    return r.finish();
  }
  r.advance_to(date);
  return r.finish();
}

StepResult apply(const Workflow& wf, const CaseState& state, const Step& step, const Context& ctx) {
  Run r{wf, ctx, {state, {}, std::nullopt, {}}};
  if (wf.find_stage(state.stage) < 0) {
    r.refuse(RefusalKind::not_available, "the case is in stage `" + state.stage + "`, which workflow `" + wf.name() + "` does not have");
    return r.finish();
  }
  if (step.date < state.last) {
    r.refuse(RefusalKind::out_of_order,
             "the step is dated " + fmt(step.date) + ", before the case's latest step on " + fmt(state.last));
    return r.finish();
  }
  r.advance_to(step.date);
  std::string error;
  auto actor = wf.parse_role(step.actor, &error);
  if (!actor) {
    r.refuse(RefusalKind::unknown_role, error);
    return r.finish();
  }
  int action = wf.decls().find_action(step.action);
  if (action < 0) {
    std::vector<std::string> names;
    for (const auto& a : wf.decls().actions) names.push_back(a.name);
    r.refuse(RefusalKind::unknown_action, "unknown action `" + step.action + "`; the actions are " + join(names));
    return r.finish();
  }
  const auto& st = r.cur();
  if (st.kind == StageKind::terminal) {
    r.refuse(RefusalKind::case_closed, "the case is closed: it ended in stage " + r.stage_ref(st) + " on " + fmt(r.res.state.entered));
    return r.finish();
  }
  r.take(static_cast<std::uint32_t>(action), *actor, step.date);
  if (r.res.applied()) r.res.state.last = std::max(r.res.state.last, step.date);
  return r.finish();
}

std::vector<AvailableAction> available_actions(const Workflow& wf, const CaseState& state, const Context& ctx,
                                               std::string_view role, Days date) {
  Run r{wf, ctx, {state, {}, std::nullopt, {}}};
  if (wf.find_stage(state.stage) < 0) return {};
  if (date >= state.last) r.advance_to(date);  // apply() refuses an earlier date before timers run
  if (r.cur().kind == StageKind::terminal) return {};
  std::vector<AvailableAction> out;
  for (const auto& [action, who] : r.offers(date)) {
    const std::string& name = wf.decls().actions[action].name;
    const std::size_t first = out.size();  // this action's entries: one per distinct outcome
    for (const auto& actor : who) {
      if (!role.empty() && actor != role) continue;
      auto res = apply(wf, state, Step{name, actor, date}, ctx);
      const bool adjustable = name == "approve" && r.cur().amount_adjustable && !r.is_vote(action);
      AvailableAction a{name, r.res.state.stage, {actor}, {}, adjustable, res.applied(), res.applied() ? res.state.stage : std::string(),
                        res.refusal};
      if (auto inst = wf.parse_role(actor)) a.targets = r.targets(action, *inst, actor, date);
      auto same = std::find_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const AvailableAction& o) {
        return o.allowed == a.allowed && o.leads_to == a.leads_to && o.targets == a.targets &&
               (o.refusal ? o.refusal->message : "") == (a.refusal ? a.refusal->message : "");
      });
      if (same != out.end()) same->roles.push_back(actor);
      else out.push_back(std::move(a));
    }
  }
  return out;
}

bool reserves_budget(const Workflow& wf, const StepResult& r) {
  const std::string& stage = wf.reserving_stage();
  return !stage.empty() && r.applied() && std::any_of(r.events.begin(), r.events.end(), [&](const Event& e) {
           return e.kind == EventKind::entered && e.stage == stage && e.action == "approve";
         });
}

std::optional<Refusal> correction_refusal(const Workflow& wf, const CaseState& state) {
  int si = wf.find_stage(state.stage);
  if (si < 0)
    return Refusal{RefusalKind::not_available, "the case is in stage `" + state.stage + "`, which workflow `" + wf.name() + "` does not have"};
  const auto& st = wf.stage(static_cast<std::uint32_t>(si));
  if (st.kind == StageKind::correction || static_cast<std::uint32_t>(si) == wf.spec().start) return std::nullopt;
  std::vector<std::string> where{"`" + wf.stage(wf.spec().start).name + "` (before review)"};
  for (const auto& c : wf.spec().stages)
    if (c.kind == StageKind::correction) where.push_back("`" + c.name + "` (returned for correction)");
  return Refusal{RefusalKind::not_correctable,
                 "the facts cannot be corrected at stage `" + st.name + "`" + (st.label.zh.empty() ? "" : " (" + st.label.zh + ")") +
                     (st.kind == StageKind::terminal ? ": the case is closed" : "") + "; workflow `" + wf.name() +
                     "` allows corrections only at " + join(where, " or ")};
}

CaseSummary summarize(const Workflow& wf, const CaseState& s) {
  CaseSummary out;
  out.stages.push_back(s.stage);
  int si = wf.find_stage(s.stage);
  out.terminal = si >= 0 && wf.stage(static_cast<std::uint32_t>(si)).kind == StageKind::terminal;
  if (!s.reviewers.empty()) {
    for (const auto& r : s.reviewers)
      if (std::none_of(s.votes.begin(), s.votes.end(), [&](const Vote& v) { return v.role == r; })) out.roles.push_back(r);
  }
  if (!s.responsible.empty() && std::find(out.roles.begin(), out.roles.end(), s.responsible) == out.roles.end())
    out.roles.push_back(s.responsible);
  if (s.due) out.deadlines[s.stage] = *s.due;
  return out;
}

}  // namespace subsidy::workflow
