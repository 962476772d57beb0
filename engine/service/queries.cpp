// Read-side use cases (see queries.hpp).
#include "service/queries.hpp"

#include <algorithm>
#include <charconv>
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
  f.call_year = q.call_year;
  f.holds_money = q.holds_money;
  if (!q.include_closed) f.closed = false;
  f.after_id = q.after_id;
  f.order = q.order;
  f.descending = q.descending;
  f.after = q.after;
  f.limit = q.limit;
  return f;
}

store::CaseOrder parse_order(const std::string& name) {
  if (name == "id") return store::CaseOrder::id;
  if (name == "due" || name == "days_left") return store::CaseOrder::due;
  if (name == "amount") return store::CaseOrder::amount;
  throw ServiceError(ErrorKind::usage, "bad_field", "`sort` is id, due, days_left or amount, not `" + name + "`", {{"field", "sort"}});
}

std::string cursor_text(store::CaseOrder order, const store::CaseCursor& at) {
  switch (order) {
    case store::CaseOrder::id: return std::to_string(at.id);
    case store::CaseOrder::due:
      return (at.key == store::kNoDue ? std::string("none") : model::format_date(static_cast<model::Days>(at.key))) + "_" +
             std::to_string(at.id);
    case store::CaseOrder::amount: break;
  }
  return std::to_string(at.key) + "_" + std::to_string(at.id);
}

store::CaseCursor parse_cursor(store::CaseOrder order, const std::string& text) {
  auto bad = [&]() {
    return ServiceError(ErrorKind::usage, "bad_field",
                        "`after` is the `next` of the page before (" +
                            std::string(order == store::CaseOrder::id ? "a case number" : order == store::CaseOrder::due ? "DUE_ID, e.g. 2024-06-10_17" : "FEN_ID, e.g. 5000000_17") +
                            "), not `" + text + "`",
                        {{"field", "after"}});
  };
  auto whole = [](std::string_view s) -> std::optional<std::int64_t> {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
  };
  const auto cut = text.rfind('_');
  if (order == store::CaseOrder::id) {
    auto id = whole(text);
    if (!id) throw bad();
    return {*id, *id};
  }
  if (cut == std::string::npos) throw bad();
  auto id = whole(std::string_view(text).substr(cut + 1));
  const std::string key = text.substr(0, cut);
  std::optional<std::int64_t> k;
  if (order == store::CaseOrder::due) {
    if (key == "none") k = store::kNoDue;
    else if (auto d = model::parse_date(key)) k = *d;
  } else {
    k = whole(key);
  }
  if (!id || !k) throw bad();
  return {*k, *id};
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
  CasePage page;
  if (q.inbox && q.filter.role.empty() && who.roles.empty()) return page;  // no stage is theirs
  // Everything is selected, ordered and paged in the store; what it cannot decide is the visibility
  // of a case whose roles were resolved with other rules (stale): those pass its filter and are
  // resolved here (keep).
  store::CaseFilter f = inbox_filter(env, q.filter);
  if (q.filter.only_closed) f.closed = true;
  if (!q.q.empty()) f.id_or_applicant = q.q;
  if (q.inbox && q.filter.role.empty()) f.roles_any = who.roles;
  f.visible_rules = env.rules.hash();
  if (!sees_all(who)) f.visible_any = who.roles;
  f.county = q.county;
  const bool resolve = !sees_all(who) || !q.county.empty();
  auto keep = [&](const store::Case& c) {
    if (!resolve) return true;
    std::optional<std::vector<std::string>> roles;  // resolved once, when needed
    auto resolved = [&]() -> const std::vector<std::string>& {
      if (!roles) roles = case_roles(env, c, date);
      return *roles;
    };
    if (!sees_all(who) && !shares_a_role(c.roles, who) && !shares_a_role(resolved(), who)) return false;
    return q.county.empty() || store::names_family_member(resolved(), q.county);
  };

  // The counts of every match: in the store (GROUP BY), the stale cases resolved here.
  if (q.with_counts) {
    store::CaseFilter counted = f;  // every page
    counted.after.reset();
    counted.after_id = 0;
    counted.limit = 0;
    counted.order = store::CaseOrder::id;
    counted.descending = false;
    if (resolve) counted.stale = false;
    std::map<std::string, std::size_t> counts = env.repo.count_stages(counted);
    if (resolve) {
      counted.stale = true;
      for (const auto& c : env.repo.list_cases(counted))
        if (keep(c))
          for (const auto& st : c.stages) ++counts[st];
    }
    page.counts.assign(counts.begin(), counts.end());
  }

  // The page: limit + 1 rows at a time in the order asked, until the page is full and one more kept
  // case shows there is a next page.
  const std::size_t limit = q.filter.limit;
  store::CaseFilter paged = f;
  if (limit) paged.limit = limit + 1;
  for (;;) {
    auto rows = env.repo.list_cases(paged);
    std::optional<store::CaseCursor> last;
    if (!rows.empty()) last = store::CaseCursor{store::order_key(rows.back(), paged.order), rows.back().id};
    for (auto& c : rows) {
      if (!keep(c)) continue;
      if (limit && page.cases.size() == limit) {
        page.next = store::CaseCursor{store::order_key(page.cases.back(), paged.order), page.cases.back().id};
        return page;
      }
      page.cases.push_back(std::move(c));
    }
    if (!limit || rows.size() < paged.limit) break;
    paged.after = last;
  }
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

model::Fen shown_amount(const store::Case& c) { return store::shown_fen(c); }

}  // namespace subsidy::service
