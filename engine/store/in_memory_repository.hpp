#pragma once
// An in-memory CaseRepository for unit tests of other stages. Several repositories may share one
// InMemoryDatabase (like two processes on one database file): a unit of work holds the database's
// lock until commit/rollback, and a call outside one holds it for the call. Rollback restores a
// snapshot taken at begin(). The state is plain data so tests can tamper with it directly.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/case_repository.hpp"
#include "store/clock.hpp"

namespace subsidy::store {

struct InMemoryState {
  struct StoredCase {
    Case c;
    ChainHead head;
  };
  std::map<CaseId, StoredCase> cases;
  std::map<std::string, CaseId, std::less<>> by_application;
  std::map<CaseId, std::vector<FactsVersion>> facts;
  std::map<CaseId, std::vector<Event>> events;  // stored order = by seq
  std::map<std::pair<std::string, int>, Budget> budgets;
  struct StoredLedger {
    ChainHead head;
    std::vector<BudgetEvent> events;  // stored order = by seq
  };
  std::map<std::pair<std::string, int>, StoredLedger> ledgers;  // by budget
  std::map<std::string, RulesetSources, std::less<>> rulesets;   // by hash
  std::vector<PublishedRuleset> published;                        // by version
  std::vector<Award> awards;
  std::map<UserId, User> users;
  std::map<std::pair<UserId, std::string>, RoleGrant> grants;  // by user, role
  std::map<TokenId, ApiToken> tokens;
  CaseId next_case_id = 1;
  std::int64_t next_award_id = 1;
  UserId next_user_id = 1;
  TokenId next_token_id = 1;
};

struct InMemoryDatabase {
  std::timed_mutex mutex;
  InMemoryState state;
  HashAlgorithm hash = HashAlgorithm::sha256;  // of its chains, chosen when it is made (settings.audit_hash in SQL)
};

class InMemoryRepository final : public CaseRepository {
 public:
  // `lock_timeout`: how long begin() or a call waits for another unit of work (UnavailableError after).
  explicit InMemoryRepository(std::shared_ptr<InMemoryDatabase> db = std::make_shared<InMemoryDatabase>(),
                              Clock clock = utc_now,
                              std::chrono::milliseconds lock_timeout = std::chrono::milliseconds(5000));
  ~InMemoryRepository() override;

  const std::shared_ptr<InMemoryDatabase>& database() const { return db_; }

  void begin() override;
  void commit() override;
  void rollback() override;
  bool in_transaction() const override { return snapshot_.has_value(); }

  CaseId create_case(const Case& c, const FactsVersion& submitted) override;
  std::optional<CaseId> find_by_application_id(std::string_view application_id) override;
  Case load_case(CaseId id) override;
  std::int64_t update_case(const Case& c, std::int64_t expected_version) override;
  std::vector<Case> list_cases(const CaseFilter& filter) override;
  bool lock_case(CaseId id) override;

  int add_facts_version(const FactsVersion& fv) override;
  std::vector<FactsVersion> facts_versions(CaseId id) override;

  Event append_event(const Event& e) override;
  std::vector<Event> events(CaseId id) override;
  AuditReport verify_audit(std::optional<CaseId> only = std::nullopt) override;
  HashAlgorithm hash_algorithm() override { return db_->hash; }

  Budget set_budget(const std::string& programme, int year, model::Fen total, const std::string& actor,
                    const std::string& note) override;
  std::optional<Budget> get_budget(const std::string& programme, int year) override;
  std::vector<Budget> list_budgets() override;
  BudgetEvent append_budget_event(const BudgetEvent& e) override;
  std::vector<BudgetEvent> budget_history(const std::string& programme, int year) override;
  Budget reserve(CaseId id, model::Fen amount) override;
  Budget release(CaseId id, model::Fen amount) override;
  Budget consume(CaseId id, model::Fen amount) override;

  std::int64_t record_award(const Award& a) override;
  std::vector<Award> list_awards(const AwardFilter& filter) override;

  void store_ruleset(const RulesetSources& r) override;
  std::optional<RulesetSources> load_ruleset(std::string_view hash) override;
  PublishedRuleset publish_ruleset(const RulesetSources& r, const PublishedRuleset& p) override;
  std::vector<PublishedRuleset> published_rulesets() override;
  std::optional<PublishedRuleset> published_ruleset(std::optional<int> version = std::nullopt) override;

  UserId add_user(const User& u) override;
  std::optional<User> find_user(std::string_view name) override;
  std::optional<User> load_user(UserId id) override;
  std::vector<User> list_users() override;
  bool grant_role(const RoleGrant& g) override;
  bool revoke_role(UserId user, std::string_view role) override;
  std::vector<RoleGrant> roles_of(UserId user) override;
  TokenId add_token(const ApiToken& t) override;
  std::optional<ApiToken> find_token(std::string_view token_hash) override;
  bool revoke_token(TokenId id) override;
  std::vector<ApiToken> tokens_of(UserId user) override;

 private:
  // Holds the database lock for one call unless a unit of work already holds it.
  std::unique_lock<std::timed_mutex> guard();
  InMemoryState& st() { return db_->state; }
  Budget& budget_or_throw(const std::string& programme, int year);
  Case& case_or_throw(CaseId id);
  // Appends to the budget's ledger (the budget exists): seq, prev_hash, hash, total_fen, at.
  BudgetEvent append_ledger(const BudgetEvent& e, const Budget& b);

  std::shared_ptr<InMemoryDatabase> db_;
  Clock clock_;
  std::chrono::milliseconds lock_timeout_;
  std::unique_lock<std::timed_mutex> tx_lock_;
  std::optional<InMemoryState> snapshot_;
};

}  // namespace subsidy::store
