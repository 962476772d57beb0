#pragma once
// Adapter-internal: how a Case maps onto a `cases` row. CaseRow holds SOCI-bindable buffers (with
// indicators for the nullable decision columns) so prepared statements can bind to it once and be
// re-executed; the list and deadline columns use the text encodings documented in 001_init.sql.
// reserved_fen / consumed_fen (002) are read here but written only by the budget movements;
// applicant (003) is written only by the insert.
#include <soci/soci.h>

#include <map>
#include <string>
#include <vector>

#include "store/case.hpp"

namespace subsidy::soci_store::detail {

// ["a","b"] ↔ "|a|b|" ([] ↔ ""), so `col LIKE '%|a|%'` finds a member.
std::string encode_list(const std::vector<std::string>& items);
std::vector<std::string> decode_list(const std::string& text);
// A LIKE pattern (escape character '!') matching rows whose encoded list contains `item`.
std::string list_member_pattern(const std::string& item);
// A LIKE pattern (escape character '!') matching rows whose encoded list has a member of the role
// family value `member`: "临河区" matches "|旗县区科技局[临河区]|".
std::string family_member_pattern(const std::string& member);
// {stage: date} ↔ "YYYY-MM-DD stage\n…"
std::string encode_deadlines(const std::map<std::string, model::Days>& deadlines);
std::map<std::string, model::Days> decode_deadlines(const std::string& text);

// The columns in the order CaseRow::bind_into expects.
inline constexpr const char* kCaseColumns =
    "id, application_id, applicant, programme, call_year, workflow, workflow_version, stages, roles, state_json, "
    "deadlines, timer_due, closed, approved_fen, allocated_fen, decision_outcome, decision_amount_fen, decision_ruleset_hash, decision_as_of, "
    "decision_json, reserved_fen, consumed_fen, version, facts_version, created_at, updated_at, visible_roles, visibility_rules";

struct CaseRow {
  long long id = 0;
  std::string application_id, applicant, programme;
  int call_year = 0;
  std::string workflow;
  int workflow_version = 0;
  std::string stages, roles, state_json, deadlines;
  std::string next_due;
  soci::indicator next_due_ind = soci::i_null;
  std::string timer_due;  // 'YYYY-MM-DD'
  soci::indicator timer_due_ind = soci::i_null;
  int closed = 0;         // 0 or 1
  long long approved_fen = 0, allocated_fen = 0;  // 005
  soci::indicator approved_ind = soci::i_null, allocated_ind = soci::i_null;
  std::string decision_outcome, decision_ruleset_hash, decision_as_of, decision_json;
  long long decision_amount_fen = 0;
  soci::indicator outcome_ind = soci::i_null, amount_ind = soci::i_null, hash_ind = soci::i_null,
                  as_of_ind = soci::i_null, json_ind = soci::i_null;
  long long reserved_fen = 0, consumed_fen = 0, version = 0;  // reserved/consumed: read only (reserve/release/consume)
  int facts_version = 0;
  std::string created_at, updated_at;
  std::string visible_roles, visibility_rules;  // 007; NULL (before it was resolved): empty
  soci::indicator visible_ind = soci::i_null, visibility_ind = soci::i_null;
  // 009, written only (the list orders): next_due or '9999-12-31', and store::payable_fen.
  std::string due_key;
  long long payable_fen = 0;

  void from_case(const store::Case& c);  // fills the buffers (and next_due) from a Case
  store::Case to_case() const;           // CorruptError for undecodable columns

  // Binds every kCaseColumns column, in order, as an output of `st`.
  void bind_into(soci::statement& st);
};

}  // namespace subsidy::soci_store::detail
