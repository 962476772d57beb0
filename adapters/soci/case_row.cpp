#include "soci/case_row.hpp"

#include "store/errors.hpp"

namespace subsidy::soci_store::detail {

std::string encode_list(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = "|";
  for (const auto& s : items) {
    out += s;
    out += '|';
  }
  return out;
}

std::vector<std::string> decode_list(const std::string& text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  std::size_t start = 1;
  for (auto bar = text.find('|', start); bar != std::string::npos; bar = text.find('|', start)) {
    out.push_back(text.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

namespace {

std::string like_escaped(const std::string& text) {
  std::string p;
  for (char ch : text) {
    if (ch == '!' || ch == '%' || ch == '_') p += '!';
    p += ch;
  }
  return p;
}

}  // namespace

std::string list_member_pattern(const std::string& item) { return "%|" + like_escaped(item) + "|%"; }

std::string family_member_pattern(const std::string& member) { return "%[" + like_escaped(member) + "]|%"; }

std::string encode_deadlines(const std::map<std::string, model::Days>& deadlines) {
  std::string out;
  for (const auto& [stage, due] : deadlines) {
    out += model::format_date(due);
    out += ' ';
    out += stage;
    out += '\n';
  }
  return out;
}

std::map<std::string, model::Days> decode_deadlines(const std::string& text) {
  std::map<std::string, model::Days> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    auto due = line.size() > 11 && line[10] == ' ' ? model::parse_date(line.substr(0, 10)) : std::nullopt;
    if (!due) throw store::CorruptError("undecodable deadline '" + line + "' in a stored case");
    out.emplace(line.substr(11), *due);
  }
  return out;
}

void CaseRow::from_case(const store::Case& c) {
  id = c.id;
  application_id = c.application_id;
  applicant = c.applicant.empty() ? c.application_id : c.applicant;
  programme = c.programme;
  call_year = c.call_year;
  workflow = c.workflow;
  workflow_version = c.workflow_version;
  stages = encode_list(c.stages);
  roles = encode_list(c.roles);
  state_json = c.state_json;
  deadlines = encode_deadlines(c.deadlines);
  if (auto due = store::next_due(c)) {
    next_due = model::format_date(*due);
    next_due_ind = soci::i_ok;
  } else {
    next_due.clear();
    next_due_ind = soci::i_null;
  }
  timer_due = c.timer_due ? model::format_date(*c.timer_due) : std::string();
  timer_due_ind = c.timer_due ? soci::i_ok : soci::i_null;
  closed = c.closed ? 1 : 0;
  approved_fen = c.approved_fen.value_or(0);
  approved_ind = c.approved_fen ? soci::i_ok : soci::i_null;
  allocated_fen = c.allocated_fen.value_or(0);
  allocated_ind = c.allocated_fen ? soci::i_ok : soci::i_null;
  const soci::indicator d = c.decision ? soci::i_ok : soci::i_null;
  outcome_ind = amount_ind = hash_ind = as_of_ind = json_ind = d;
  if (c.decision) {
    decision_outcome = c.decision->outcome;
    decision_amount_fen = c.decision->amount_fen;
    decision_ruleset_hash = c.decision->ruleset_hash;
    decision_as_of = model::format_date(c.decision->as_of);
    decision_json = c.decision->json;
  } else {
    decision_outcome.clear();
    decision_amount_fen = 0;
    decision_ruleset_hash.clear();
    decision_as_of.clear();
    decision_json.clear();
  }
  reserved_fen = c.reserved_fen;
  consumed_fen = c.consumed_fen;
  version = c.version;
  facts_version = c.facts_version;
  created_at = c.created_at;
  updated_at = c.updated_at;
  visible_roles = encode_list(c.visible_roles);
  visibility_rules = c.visibility_rules;
  visible_ind = visibility_ind = c.visibility_rules.empty() ? soci::i_null : soci::i_ok;
  due_key = model::format_date(static_cast<model::Days>(store::order_key(c, store::CaseOrder::due)));
  payable_fen = store::payable_fen(c);
}

store::Case CaseRow::to_case() const {
  store::Case c;
  c.id = id;
  c.application_id = application_id;
  c.applicant = applicant;
  c.programme = programme;
  c.call_year = call_year;
  c.workflow = workflow;
  c.workflow_version = workflow_version;
  c.stages = decode_list(stages);
  c.roles = decode_list(roles);
  c.state_json = state_json;
  c.deadlines = decode_deadlines(deadlines);
  if (timer_due_ind == soci::i_ok) {
    c.timer_due = model::parse_date(timer_due);
    if (!c.timer_due) throw store::CorruptError("case " + std::to_string(id) + " has an undecodable timer date");
  }
  c.closed = closed != 0;
  if (approved_ind == soci::i_ok) c.approved_fen = approved_fen;
  if (allocated_ind == soci::i_ok) c.allocated_fen = allocated_fen;
  if (outcome_ind == soci::i_ok) {
    store::CaseDecision d;
    d.outcome = decision_outcome;
    d.amount_fen = amount_ind == soci::i_ok ? decision_amount_fen : 0;
    d.ruleset_hash = hash_ind == soci::i_ok ? decision_ruleset_hash : std::string();
    auto as_of = as_of_ind == soci::i_ok ? model::parse_date(decision_as_of) : std::nullopt;
    if (!as_of) throw store::CorruptError("case " + std::to_string(id) + " has an undecodable decision date");
    d.as_of = *as_of;
    d.json = json_ind == soci::i_ok ? decision_json : std::string();
    c.decision = std::move(d);
  }
  c.reserved_fen = reserved_fen;
  c.consumed_fen = consumed_fen;
  c.version = version;
  c.facts_version = facts_version;
  c.created_at = created_at;
  c.updated_at = updated_at;
  if (visibility_ind == soci::i_ok && visible_ind == soci::i_ok) {
    c.visible_roles = decode_list(visible_roles);
    c.visibility_rules = visibility_rules;
  }
  return c;
}

void CaseRow::bind_into(soci::statement& st) {
  st.exchange(soci::into(id));
  st.exchange(soci::into(application_id));
  st.exchange(soci::into(applicant));
  st.exchange(soci::into(programme));
  st.exchange(soci::into(call_year));
  st.exchange(soci::into(workflow));
  st.exchange(soci::into(workflow_version));
  st.exchange(soci::into(stages));
  st.exchange(soci::into(roles));
  st.exchange(soci::into(state_json));
  st.exchange(soci::into(deadlines));
  st.exchange(soci::into(timer_due, timer_due_ind));
  st.exchange(soci::into(closed));
  st.exchange(soci::into(approved_fen, approved_ind));
  st.exchange(soci::into(allocated_fen, allocated_ind));
  st.exchange(soci::into(decision_outcome, outcome_ind));
  st.exchange(soci::into(decision_amount_fen, amount_ind));
  st.exchange(soci::into(decision_ruleset_hash, hash_ind));
  st.exchange(soci::into(decision_as_of, as_of_ind));
  st.exchange(soci::into(decision_json, json_ind));
  st.exchange(soci::into(reserved_fen));
  st.exchange(soci::into(consumed_fen));
  st.exchange(soci::into(version));
  st.exchange(soci::into(facts_version));
  st.exchange(soci::into(created_at));
  st.exchange(soci::into(updated_at));
  st.exchange(soci::into(visible_roles, visible_ind));
  st.exchange(soci::into(visibility_rules, visibility_ind));
}

}  // namespace subsidy::soci_store::detail
