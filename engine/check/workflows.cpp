// Workflow declarations: names (roles, actions, stages, workflows), the structure of each stage and
// the types of guards. See docs/workflow.md; codes in docs/diagnostics.md (E0701–E0719, W0710–W0719).
#include "check/workflows.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "diag/suggest.hpp"

namespace subsidy::check::detail {

namespace {

const char* kind_word(ast::Stage::Kind k) {
  switch (k) {
    case ast::Stage::Kind::Normal: return "stage";
    case ast::Stage::Kind::Correction: return "correction stage";
    case ast::Stage::Kind::Terminal: return "terminal stage";
  }
  return "stage";
}

struct WorkflowChecker {
  CheckResult& res;
  Symbols& sym;
  GuardTyper& typer;
  diag::Diagnostics& diags;

  std::vector<diag::Note> did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
    auto s = diag::closest(name, candidates);
    if (s.empty()) return {};
    return {{{}, "did you mean `" + s + "`?", false}};
  }

  template <typename Map>
  std::vector<std::string> keys(const Map& m) {
    std::vector<std::string> out;
    for (const auto& [k, _] : m) out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
  }

  // A role reference; `need_member`: a role family must name its member (`旗县区科技局[county]`).
  void role_ref(const ast::RoleRef& r, bool need_member, const std::string& where) {
    auto it = sym.role_index.find(r.role.name);
    if (it == sym.role_index.end()) {
      diags.error("E0701", r.role.span, "unknown role `" + r.role.name + "`", did_you_mean(r.role.name, keys(sym.role_index)));
      return;
    }
    std::int32_t family = sym.role_family[it->second];
    if (r.index) {
      if (family < 0) {
        if (sym.roles[it->second]->family) return;  // its enum was unknown: reported at the role
        diags.error("E0708", r.span, "role `" + r.role.name + "` is not a role family; it has no members to choose with `[…]`");
        return;
      }
      typer.role_index(*r.index, static_cast<std::uint32_t>(family), "the member of `" + r.role.name + "` " + where);
    } else if (need_member && family >= 0) {
      diags.error("E0708", r.span,
                  "`" + r.role.name + "` is a role family (one role per " + sym.schema.enums[static_cast<std::size_t>(family)].name +
                      "): say which member is responsible",
                  {{{}, "e.g. `" + r.role.name + "[" + "fact_name]` picks the member named by a fact of that enum", false}});
    }
  }

  void period(const ast::Period& p, const std::string& what) {
    if (p.count < 1 || p.count > 3650)
      diags.error("E0709", p.span, what + " must be between 1 and 3650 days, not " + std::to_string(p.count));
  }

  static bool has_approve_transition(const ast::Stage& st) {
    return std::any_of(st.transitions.begin(), st.transitions.end(), [](const ast::Transition& t) { return t.action.name == "approve"; });
  }

  // `reserve at STAGE;`: at most one, naming an ordinary stage that a case leaves by `approve`.
  template <typename FindStage>
  void reserving_stage(const ast::WorkflowDecl& w, FindStage& find_stage) {
    for (std::size_t i = 1; i < w.reserves.size(); ++i)
      diags.error("E0713", w.reserves[i].span, "workflow `" + w.name.name + "` names its reserving stage more than once",
                  {{w.reserves[0].span, "the first `reserve at` is here"}});
    if (w.reserves.empty()) return;
    const auto* s = find_stage(w.reserves[0]);
    if (!s) return;
    if (s->kind != ast::Stage::Kind::Normal)
      diags.error("E0714", w.reserves[0].span,
                  std::string("the reserving stage must be an ordinary `stage`, not a ") + kind_word(s->kind),
                  {{{}, "the budget is reserved when an officer approves the case at this stage", false}});
    else if (!has_approve_transition(*s))
      diags.error("E0715", w.reserves[0].span, "stage `" + s->name.name + "` has no `on approve` transition, so its approval cannot reserve the budget",
                  {{s->name.span, "the stage is declared here"}});
  }

  // `amount adjustable;`: the officer who approves may approve a smaller amount.
  void adjustable(const ast::Stage& st) {
    std::string why;
    if (st.kind == ast::Stage::Kind::Correction) why = "in a correction stage the applicant corrects the application; no officer approves it";
    else if (st.joint) why = "a joint review approves by its reviewers' votes, not by one officer who could set the amount";
    else if (!has_approve_transition(st)) why = "stage `" + st.name.name + "` has no `on approve` transition";
    if (why.empty()) return;
    diags.error("E0716", st.adjustable_span, "`amount adjustable` needs a stage where an officer approves: " + why,
                {{{}, "the approving officer may approve a smaller amount (never a larger one) with a reason", false}});
  }

  void workflow(const ast::WorkflowDecl& w) {
    std::map<std::string, const ast::Stage*> stages;
    for (const auto& st : w.stages) {
      auto [it, fresh] = stages.emplace(st.name.name, &st);
      if (!fresh)
        diags.error("E0102", st.name.span, "duplicate stage `" + st.name.name + "` in workflow `" + w.name.name + "`",
                    {{it->second->name.span, "first defined here"}});
    }
    std::vector<std::string> stage_names = keys(stages);
    auto find_stage = [&](const ast::Ident& id) -> const ast::Stage* {
      auto it = stages.find(id.name);
      if (it != stages.end()) return it->second;
      diags.error("E0703", id.span, "unknown stage `" + id.name + "` in workflow `" + w.name.name + "`",
                  did_you_mean(id.name, stage_names));
      return nullptr;
    };

    if (w.starts.empty())
      diags.error("E0706", w.name.span, "workflow `" + w.name.name + "` has no `start` clause",
                  {{{}, "name the stage a new case enters: `start application;`", false}});
    for (std::size_t i = 1; i < w.starts.size(); ++i)
      diags.error("E0706", w.starts[i].span, "workflow `" + w.name.name + "` has more than one `start` clause",
                  {{w.starts[0].span, "the first `start` is here"}});
    if (!w.starts.empty())
      if (const auto* s = find_stage(w.starts[0]); s && s->kind != ast::Stage::Kind::Normal)
        diags.error("E0706", w.starts[0].span,
                    std::string("the start stage must be an ordinary `stage`, not a ") + kind_word(s->kind));

    reserving_stage(w, find_stage);

    bool has_approve = sym.action_index.count("approve") > 0, has_reject = sym.action_index.count("reject") > 0;
    for (const auto& st : w.stages) {
      if (st.kind == ast::Stage::Kind::Terminal) continue;
      const std::string in_stage = "in stage `" + st.name.name + "`";
      for (const auto& r : st.responsible) {
        role_ref(r.role, true, in_stage);
        if (r.when) typer.guard(*r.when, "the guard of `responsible " + r.role.role.name + "` " + in_stage);
      }
      if (st.responsible.empty() && !st.joint)
        diags.error("E0707", st.name.span, "stage `" + st.name.name + "` has no `responsible` role",
                    {{{}, "add `responsible ROLE;` (several lines with `when` pick the role by the facts)", false}});
      if (st.joint) {
        const auto& j = *st.joint;
        if (j.policy.name != "all" && j.policy.name != "veto" && j.policy.name != "majority")
          diags.error("E0707", j.policy.span, "unknown joint-review policy `" + j.policy.name + "`",
                      {{{}, "use all (every reviewer approves), veto (one rejection rejects) or majority", false}});
        if (j.reviewers.empty()) diags.error("E0707", j.span, "joint review " + in_stage + " lists no reviewers");
        for (const auto& r : j.reviewers) {
          role_ref(r.role, true, in_stage);
          if (r.when) typer.guard(*r.when, "the guard of reviewer `" + r.role.role.name + "` " + in_stage);
        }
        if (!has_approve || !has_reject)
          diags.error("E0702", j.span, "a joint review votes with the actions `approve` and `reject`: declare both with `action`");
        bool on_approve = false, on_reject = false;
        for (const auto& t : st.transitions) {
          bool outcome = t.action.name == "approve" || t.action.name == "reject";
          on_approve = on_approve || t.action.name == "approve";
          on_reject = on_reject || t.action.name == "reject";
          if (outcome && !t.by.empty())
            diags.error("E0707", t.span,
                        "`on " + t.action.name + "` of a joint review is taken when the review completes; it cannot have `by`");
        }
        if (!on_approve || !on_reject)
          diags.error("E0707", j.span, "stage `" + st.name.name + "` has a joint review but no `on " +
                                           std::string(!on_approve ? "approve" : "reject") + " -> …` transition",
                      {{{}, "the joint review ends by taking `on approve` or `on reject` according to its policy", false}});
      }
      if (st.amount_adjustable) adjustable(st);
      if (st.deadline) period(*st.deadline, "a deadline");
      if (st.after) {
        period(st.after->period, "an `after` period");
        find_stage(st.after->target);
      }
      std::map<std::string, std::vector<std::pair<std::string, const ast::Transition*>>> unguarded;
      for (const auto& t : st.transitions) {
        if (!sym.action_index.count(t.action.name))
          diags.error("E0702", t.action.span, "unknown action `" + t.action.name + "`", did_you_mean(t.action.name, keys(sym.action_index)));
        std::string by_text;
        for (const auto& b : t.by) {
          role_ref(b, false, in_stage);
          by_text += b.role.name + (b.index ? "[…]" : "") + ",";
        }
        if (t.when) typer.guard(*t.when, "the guard of `on " + t.action.name + "` " + in_stage);
        if (t.back) {
          if (st.kind != ast::Stage::Kind::Correction)
            diags.error("E0707", t.span, "`-> back` is only for correction stages",
                        {{{}, "in a `correction` stage, `-> back` returns the case to the stage that sent it for correction", false}});
        } else {
          find_stage(t.target);
        }
        auto& earlier = unguarded[t.action.name];
        for (const auto& [by, prev] : earlier)
          if (by == by_text) {
            diags.warning("W0710", t.span,
                          "this `on " + t.action.name + "` can never be taken: an earlier one without `when` always takes the action",
                          {{prev->span, "the earlier transition"}});
            break;
          }
        if (!t.when) earlier.push_back({by_text, &t});
      }
    }
  }

  void run() {
    for (const auto* w : sym.workflows) workflow(*w);
    for (const auto* p : sym.programs) {
      if (p->workflow) {
        if (!sym.workflow_index.count(p->workflow->name))
          diags.error("E0704", p->workflow->span, "unknown workflow `" + p->workflow->name + "`",
                      did_you_mean(p->workflow->name, keys(sym.workflow_index)));
      } else if (!sym.workflows.empty()) {
        diags.warning("W0711", p->id.span, "programme `" + p->id.name + "` names no workflow",
                      {{{}, "add `workflow NAME;` so that its cases can be routed", false}});
      }
    }
  }
};

}  // namespace

void check_workflows(CheckResult& result, GuardTyper& typer, diag::Diagnostics& diags) {
  WorkflowChecker c{result, result.symbols, typer, diags};
  c.run();
}

}  // namespace subsidy::check::detail
