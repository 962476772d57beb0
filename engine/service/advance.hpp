#pragma once
// `case advance` (docs/cases.md "advance"): lets time pass for every open case whose `after` period
// (公示, correction period) ended before a date. Due cases move in batches, one unit of work each
// (advance_cases; a failed batch is retried case by case), each case under its row lock, as ONE
// `system` event, and a case the timers closed gives its
// reservation back. Exactly once, also when several runs (or service instances) work through the
// same cases on one PostgreSQL database: a case another run holds is skipped, and a case already
// moved is no longer due. For cron-style deployments and the HTTP service's timer loop.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "model/date.hpp"
#include "model/money.hpp"
#include "service/cases.hpp"
#include "service/errors.hpp"

namespace subsidy::service {

struct AdvanceProgress {
  std::size_t listed = 0;  // due cases found so far
  std::size_t done = 0;    // of them handled (moved, skipped or failed)
  std::size_t moved = 0;
};

struct AdvanceOptions {
  std::size_t page = 500;  // due cases read per query (keyset paging by id)
  std::size_t batch = 100;  // due cases moved per unit of work (one commit); a failed batch is retried case by case
  std::function<void(const AdvanceProgress&)> progress;  // after every batch; may be empty
};

struct AdvanceMove {
  store::CaseId id = 0;
  std::string application_id, programme;
  std::string from, to;                   // stages before and after (comma-separated)
  bool closed = false;                    // the timers ended the case (e.g. correction period expired)
  model::Fen released_fen = 0;            // the reservation it gave back
  std::vector<std::string> budget_notes;  // as recorded in the event
};

enum class AdvanceSkip : std::uint8_t {
  locked,    // another unit of work holds the case (PostgreSQL: another run is moving it)
  conflict,  // the case changed while it was being moved (optimistic lock lost, or a deadlock victim)
  moved,     // no longer due when read under the lock: someone else moved it first
};
const char* advance_skip_name(AdvanceSkip s);  // "locked", "conflict", "moved"

struct AdvanceSkipped {
  store::CaseId id = 0;
  AdvanceSkip why = AdvanceSkip::locked;
};

// A case this run cannot move (its programme is no longer in the rules, its stored state is
// unreadable, …); the other cases are moved regardless.
struct AdvanceFailure {
  store::CaseId id = 0;
  ErrorKind kind = ErrorKind::internal;
  std::string code, message;
};

struct AdvanceReport {
  model::Days date = 0;
  std::size_t listed = 0;  // open cases with timer_due < date when they were listed
  std::vector<AdvanceMove> moved;
  std::vector<AdvanceSkipped> skipped;
  std::vector<AdvanceFailure> failed;
  model::Fen released_fen = 0;  // sum over `moved`
};

// Moves every due case (open, timer_due < date), in id order. A storage failure other than a lost
// lock (database unavailable, corrupt, …) stops the run with its store::StoreError: the cases moved
// before it stay moved, and a later run continues with the rest.
AdvanceReport advance_due(const Env& env, model::Days date, const AdvanceOptions& options = {});

}  // namespace subsidy::service
