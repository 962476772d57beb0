#pragma once
// Adapter-internal: the CaseRepository over one SOCI session (SQLite or PostgreSQL).
//
// Concurrency (docs/storage.md): every write runs in a transaction — the caller's unit of work or
// one of its own (WriteScope). On SQLite that is BEGIN IMMEDIATE, so writers queue on the busy
// timeout instead of deadlocking on a lock upgrade; on PostgreSQL, READ COMMITTED with guarded
// UPDATEs (optimistic version check, budget guard) that re-check their WHERE clause against the
// latest committed row, plus SELECT … FOR UPDATE on the case row before appending an event.
//
// Statements: the hot write paths (insert case / facts / event, update case, chain head) are
// prepared once per session and re-executed with rebound buffers. Reads use statements that are
// finalised when the call returns, so no SQLite statement stays active between calls.
#include <memory>
#include <optional>
#include <string>

#include "soci/connection.hpp"
#include "store/case_repository.hpp"
#include "store/clock.hpp"

namespace subsidy::soci_store::detail {

class SociRepository final : public store::CaseRepository {
 public:
  SociRepository(Connection conn, store::Clock clock);
  ~SociRepository() override;

  Connection& connection() { return conn_; }

  void begin() override;
  void commit() override;
  void rollback() override;
  bool in_transaction() const override { return in_tx_; }

  store::CaseId create_case(const store::Case& c, const store::FactsVersion& submitted) override;
  std::vector<store::CreateResult> create_cases_batch(std::span<const store::NewCase> cases) override;
  // PostgreSQL: multi-row statements (soci_batch.cpp); SQLite and MySQL: the plain path.
  std::vector<store::CreateResult> create_cases_with_events(std::span<const store::NewCase> cases,
                                                            std::span<const store::Event> first_events) override;
  std::optional<store::CaseId> find_by_application_id(std::string_view application_id) override;
  store::Case load_case(store::CaseId id) override;
  std::int64_t update_case(const store::Case& c, std::int64_t expected_version) override;
  std::vector<store::Case> list_cases(const store::CaseFilter& filter) override;
  std::map<std::string, std::size_t> count_stages(const store::CaseFilter& filter) override;
  bool lock_case(store::CaseId id) override;

  int add_facts_version(const store::FactsVersion& fv) override;
  std::vector<store::FactsVersion> facts_versions(store::CaseId id) override;

  store::Event append_event(const store::Event& e) override;
  std::vector<store::Event> events(store::CaseId id) override;
  store::AuditReport verify_audit(std::optional<store::CaseId> only = std::nullopt) override;
  store::HashAlgorithm hash_algorithm() override { return conn_.hash; }

  store::Budget set_budget(const std::string& programme, int year, model::Fen total, const std::string& actor,
                           const std::string& note) override;
  std::optional<store::Budget> get_budget(const std::string& programme, int year) override;
  std::vector<store::Budget> list_budgets() override;
  store::BudgetEvent append_budget_event(const store::BudgetEvent& e) override;
  std::vector<store::BudgetEvent> budget_history(const std::string& programme, int year) override;
  store::Budget reserve(store::CaseId id, model::Fen amount) override;
  store::Budget release(store::CaseId id, model::Fen amount) override;
  store::Budget consume(store::CaseId id, model::Fen amount) override;

  std::int64_t record_award(const store::Award& a) override;
  std::vector<store::Award> list_awards(const store::AwardFilter& filter) override;
  std::map<std::string, std::vector<store::Award>> awards_of(std::span<const std::string> applicants) override;

  void store_ruleset(const store::RulesetSources& r) override;
  std::optional<store::RulesetSources> load_ruleset(std::string_view hash) override;
  store::PublishedRuleset publish_ruleset(const store::RulesetSources& r, const store::PublishedRuleset& p) override;
  std::vector<store::PublishedRuleset> published_rulesets() override;
  std::optional<store::PublishedRuleset> published_ruleset(std::optional<int> version = std::nullopt) override;

  store::UserId add_user(const store::User& u) override;
  std::optional<store::User> find_user(std::string_view name) override;
  std::optional<store::User> load_user(store::UserId id) override;
  std::vector<store::User> list_users() override;
  bool grant_role(const store::RoleGrant& g) override;
  bool revoke_role(store::UserId user, std::string_view role) override;
  std::vector<store::RoleGrant> roles_of(store::UserId user) override;
  store::TokenId add_token(const store::ApiToken& t) override;
  std::optional<store::ApiToken> find_token(std::string_view token_hash) override;
  bool revoke_token(store::TokenId id) override;
  std::vector<store::ApiToken> tokens_of(store::UserId user) override;

 private:
  // Runs `f`, translating SOCI errors into StoreErrors (see rethrow_translated).
  template <class F>
  auto guarded(const char* what, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (...) {
      rethrow_translated(conn_, what);
    }
  }

  // A write transaction of its own unless the caller's unit of work is open; rolls back unless committed.
  class WriteScope {
   public:
    explicit WriteScope(SociRepository& r) : r_(r), owns_(!r.in_tx_) {
      if (owns_) r_.begin();
    }
    ~WriteScope() {
      if (owns_) r_.rollback();
    }
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;
    void commit() {
      if (owns_) {
        r_.commit();
        owns_ = false;
      }
    }

   private:
    SociRepository& r_;
    bool owns_;
  };

  struct Statements;
  Statements& prepared();

  void insert_ruleset(const store::RulesetSources& r);  // inside a write transaction; once per hash
  store::CreateResult insert_case(const store::Case& c, const store::FactsVersion& fv);
  std::optional<store::CaseId> lookup_application(const std::string& application_id);
  std::optional<store::Budget> read_budget(const std::string& programme, int year);
  store::Budget read_budget_or_throw(const std::string& programme, int year);
  // The budget a case's reservation belongs to, and what the case holds of it.
  struct CaseHolding {
    std::string programme;
    int year = 0;
    model::Fen reserved_fen = 0;
  };
  CaseHolding read_holding(store::CaseId id);
  enum class Movement { reserve, release, consume };
  store::Budget move_reservation(store::CaseId id, model::Fen amount, Movement m);

  Connection conn_;
  store::Clock clock_;
  bool in_tx_ = false;
  std::unique_ptr<Statements> prepared_;
};

}  // namespace subsidy::soci_store::detail
