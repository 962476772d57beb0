#pragma once
// The storage interface the engine and the CLI see (STYLE.md §13). Implementations: the in-memory
// repository here (tests of other stages) and the SOCI one in adapters/soci (SQLite, PostgreSQL).
//
// Unit of work: between begin() and commit() every call belongs to one database transaction;
// rollback() (or a Transaction going out of scope) discards all of it. Outside a unit of work each
// call is atomic on its own. A StoreError thrown inside a unit of work leaves it open: roll it back.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/audit.hpp"
#include "store/budget.hpp"
#include "store/case.hpp"
#include "store/errors.hpp"
#include "store/event.hpp"
#include "store/ruleset_store.hpp"
#include "store/users.hpp"

namespace subsidy::store {

// Users, role grants and API tokens are the UserRepository part (store/users.hpp).
class CaseRepository : public UserRepository {
 public:
  ~CaseRepository() override = default;

  // ---- unit of work ----
  virtual void begin() = 0;     // std::logic_error when one is already open; UnavailableError when locked
  virtual void commit() = 0;
  virtual void rollback() = 0;  // no-op when none is open
  virtual bool in_transaction() const = 0;

  // ---- cases ----
  // Stores a new case (version 1) with its submitted facts (version 1) and returns its id.
  // DuplicateApplicationError when the application id already has a case.
  virtual CaseId create_case(const Case& c, const FactsVersion& submitted) = 0;
  // Idempotent bulk creation inside one transaction (the open unit of work, or its own): existing
  // application ids are skipped and reported with created == false. Results in input order.
  virtual std::vector<CreateResult> create_cases_batch(std::span<const NewCase> cases);
  // create_cases_batch, then each created case's first event — `first_events[i]` belongs to
  // `cases[i]`; its case_id, seq, prev_hash, hash and (when empty) `at` are assigned as append_event
  // assigns them — in one transaction (the open unit of work, or its own). Skipped cases get no
  // event. std::invalid_argument when the spans differ in length. This implementation is the plain
  // path (create_cases_batch, then append_event per created case); the SQL one writes the same rows
  // with multi-row statements (docs/storage.md "Bulk import").
  virtual std::vector<CreateResult> create_cases_with_events(std::span<const NewCase> cases,
                                                             std::span<const Event> first_events);
  virtual std::optional<CaseId> find_by_application_id(std::string_view application_id) = 0;
  virtual Case load_case(CaseId id) = 0;  // NotFoundError
  // Writes every mutable field of `c` (all but application_id, programme and call_year — the budget
  // its reservation belongs to never changes — and the repository-maintained ones)
  // when the stored version equals `expected_version`; returns the new version (expected + 1).
  // ConflictError when someone else changed the case since it was read; NotFoundError.
  virtual std::int64_t update_case(const Case& c, std::int64_t expected_version) = 0;
  virtual std::vector<Case> list_cases(const CaseFilter& filter) = 0;
  // The cases list_cases(filter) selects — every page: its after, after_id and limit are ignored —
  // counted by current stage (a case in several stages counts in each), by stage name. This
  // implementation counts list_cases; the SQL one counts in the database (GROUP BY).
  virtual std::map<std::string, std::size_t> count_stages(const CaseFilter& filter);
  // Claims the case for the open unit of work (std::logic_error outside one), so that several
  // processes working through the same cases (`case advance`) take each case once. PostgreSQL:
  // SELECT … FOR UPDATE SKIP LOCKED — false, without waiting, when another transaction holds the
  // row (skip the case); the lock lasts until commit or rollback. SQLite and in-memory: the unit of
  // work already holds the database's write lock, so true. NotFoundError for an unknown case.
  virtual bool lock_case(CaseId id) = 0;

  // ---- facts versions ----
  // Adds a corrected version (number assigned: latest + 1) and returns its number.
  virtual int add_facts_version(const FactsVersion& fv) = 0;
  virtual std::vector<FactsVersion> facts_versions(CaseId id) = 0;  // by version

  // ---- events ----
  // Appends to the case's chain: assigns seq, prev_hash and hash (and `at` when empty) from the
  // case's last event in the same transaction, and returns the stored event. NotFoundError.
  virtual Event append_event(const Event& e) = 0;
  virtual std::vector<Event> events(CaseId id) = 0;  // by seq
  // Recomputes every chain (or one case's) and names each altered, deleted or reordered event.
  virtual AuditReport verify_audit(std::optional<CaseId> only = std::nullopt) = 0;
  // The hash of this database's event chains, budget ledgers and checkpoints (store/event.hpp):
  // what it was created with (settings.audit_hash in SQL; sha256 when absent).
  virtual HashAlgorithm hash_algorithm() { return HashAlgorithm::sha256; }

  // ---- budgets ----
  // Creates or changes a budget's total and appends its `set` event (by `actor`, with `note`) to
  // the budget's ledger, in one transaction. std::invalid_argument for a negative total or a blank
  // actor; BudgetExceededError when the new total is below what is already reserved + consumed
  // (nothing changes then).
  virtual Budget set_budget(const std::string& programme, int year, model::Fen total, const std::string& actor,
                            const std::string& note) = 0;
  virtual std::optional<Budget> get_budget(const std::string& programme, int year) = 0;
  virtual std::vector<Budget> list_budgets() = 0;  // by programme, year
  // Appends an event other than `set` (an allocation) to the ledger of the budget (e.programme,
  // e.year): assigns seq, prev_hash, hash, total_fen (the budget's total now) and `at` when empty,
  // and returns the stored event. std::invalid_argument for a blank actor or action, or `set`
  // (only set_budget writes those); NotFoundError without the budget.
  virtual BudgetEvent append_budget_event(const BudgetEvent& e) = 0;
  // The budget's ledger by seq (empty when there is no such budget).
  virtual std::vector<BudgetEvent> budget_history(const std::string& programme, int year) = 0;
  // Every budget movement belongs to one case: it moves that case's own reservation
  // (Case::reserved_fen, consumed_fen) and the totals of the budget of the case's (programme,
  // call year) together, so a budget's reserved is always the sum of its cases' reservations and no
  // case can release or pay out what another case holds. Each returns the budget after the
  // operation; amounts must be > 0 (std::invalid_argument); NotFoundError without the case or the budget.
  // reserve: BudgetExceededError (carrying the available amount) when reserved + consumed + amount
  //          would exceed the total — nothing is reserved then.
  virtual Budget reserve(CaseId id, model::Fen amount) = 0;
  // release: ConflictError when the case holds less than `amount`.
  virtual Budget release(CaseId id, model::Fen amount) = 0;
  // consume (disbursement): moves `amount` of the case's reservation to consumed (the case's and the
  // budget's); ConflictError when the case holds less than `amount`.
  virtual Budget consume(CaseId id, model::Fen amount) = 0;

  // ---- awards ----
  // Records a disbursed award and returns its id; ConflictError when the case already has one.
  virtual std::int64_t record_award(const Award& a) = 0;
  virtual std::vector<Award> list_awards(const AwardFilter& filter) = 0;  // by year, id
  std::vector<Award> awards_for(std::string_view applicant);              // list_awards of one applicant
  // awards_for of each of `applicants` (repeats allowed), in one look-up where the store can (the
  // SQL one: one statement per 100 applicants); applicants without awards are absent.
  virtual std::map<std::string, std::vector<Award>> awards_of(std::span<const std::string> applicants);

  // ---- rulesets ----
  // Stores the sources of a ruleset once per hash: storing a hash that is already stored changes
  // nothing. std::invalid_argument when validate_ruleset refuses them.
  virtual void store_ruleset(const RulesetSources& r) = 0;
  virtual std::optional<RulesetSources> load_ruleset(std::string_view hash) = 0;  // files in stored order

  // ---- published rule versions ----
  // Stores the ruleset (as store_ruleset) and a new version of it — number: the latest + 1 — in one
  // transaction (the open unit of work, or its own), and returns it as stored. `p.ruleset_hash` must
  // be `r.hash` and `p.published_by` not blank (std::invalid_argument).
  virtual PublishedRuleset publish_ruleset(const RulesetSources& r, const PublishedRuleset& p) = 0;
  virtual std::vector<PublishedRuleset> published_rulesets() = 0;  // by version
  // One version, or the latest when none; nullopt when there is no such version (or none at all).
  virtual std::optional<PublishedRuleset> published_ruleset(std::optional<int> version = std::nullopt) = 0;
};

// RAII unit of work: begins on construction, rolls back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(CaseRepository& repo) : repo_(&repo) { repo.begin(); }
  ~Transaction() {
    if (repo_ != nullptr) {
      try {
        repo_->rollback();
      } catch (...) {  // a failed rollback leaves nothing committed; never throw from a destructor
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // When commit() throws, the destructor still rolls back whatever the backend left open.
  void commit() {
    repo_->commit();
    repo_ = nullptr;
  }
  void rollback() {
    repo_->rollback();
    repo_ = nullptr;
  }

 private:
  CaseRepository* repo_;
};

}  // namespace subsidy::store
