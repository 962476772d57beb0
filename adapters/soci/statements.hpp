#pragma once
// Adapter-internal: the prepared statements of the hot write paths, bound once to the buffers
// beside them and re-executed (SQLite: compiled once; PostgreSQL: server-side prepared). They are
// all INSERT/UPDATE statements that run to completion, so none keeps a SQLite read open.
#include <soci/soci.h>

#include <cstddef>
#include <string>

#include "soci/case_row.hpp"
#include "soci/soci_repository.hpp"

namespace subsidy::soci_store::detail {

// The case columns an insert and an update both write (workflow … payable_fen), bound in order by
// bind_mutable as inputs of `st` (soci_repository.cpp); kMutableColumns names them, comma-separated.
extern const char* const kMutableColumns;
extern const std::size_t kMutableCount;
void bind_mutable(soci::statement& st, CaseRow& r);

struct SociRepository::Statements {
  explicit Statements(Connection& c);

  // INSERT INTO cases … ON CONFLICT (application_id) DO NOTHING [RETURNING id]
  CaseRow new_case;
  long long new_case_id = 0;
  soci::statement insert_case;

  // INSERT INTO facts_versions …
  long long facts_case = 0;
  int facts_version = 0;
  std::string facts_json, facts_reason, facts_created;
  soci::statement insert_facts;

  // UPDATE cases SET … WHERE id = ? AND version = ?
  CaseRow changed;
  long long expected_version = 0;
  soci::statement update_case;

  // INSERT INTO events …
  long long ev_case = 0, ev_seq = 0;
  std::string ev_actor, ev_role, ev_action, ev_from, ev_to, ev_note, ev_at, ev_payload, ev_prev, ev_hash;
  soci::statement insert_event;

  // UPDATE cases SET event_count = ?, event_head = ? WHERE id = ?
  long long head_case = 0, head_count = 0;
  std::string head_hash;
  soci::statement set_head;
};

}  // namespace subsidy::soci_store::detail
