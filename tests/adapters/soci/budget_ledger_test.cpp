// The budgets' ledger, awards lists and stored rulesets on every backend: the in-memory repository,
// SQLite, PostgreSQL and MariaDB (when SUBSIDY_TEST_PG, SUBSIDY_TEST_MARIADB are set), including
// tampering with the stored ledger.
#include <gtest/gtest.h>

#include <stdexcept>

#include "soci/migrations.hpp"
#include "test_database.hpp"

namespace subsidy::testing {
namespace {

using store::BudgetEvent;
using store::FindingKind;
using State = store::InMemoryState;

BudgetEvent allocation(const std::string& programme, int year) {
  BudgetEvent e;
  e.programme = programme;
  e.year = year;
  e.actor = "市科技局 王";
  e.action = store::kBudgetAllocate;
  e.note = "按比例分配";
  e.payload_json = R"({"method":"pro_rata","demand_fen":3000,"available_fen":1000,"cases":[]})";
  return e;
}

class BudgetLedgerTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam());
    soci_store::OpenOptions o;
    o.clock = counting_clock();
    repo_ = db_->open(o);
  }

  // Tampering around the repository: SQL on a database, the plain state in memory.
  template <class Memory>
  void tamper(const std::vector<std::string>& sql, Memory in_memory) {
    if (GetParam() == Kind::memory) {
      in_memory(dynamic_cast<store::InMemoryRepository&>(*repo_).database()->state);
    } else {
      for (const std::string& statement : sql) db_->exec(statement);
    }
  }

  std::vector<std::tuple<std::string, std::int64_t, FindingKind>> budget_findings() {
    const store::AuditReport r = repo_->verify_audit();
    std::vector<std::tuple<std::string, std::int64_t, FindingKind>> out;
    for (const auto& f : r.findings) {
      EXPECT_EQ(f.case_id, 0) << f.message;
      out.emplace_back(f.budget, f.seq, f.kind);
    }
    return out;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::CaseRepository> repo_;
};

TEST_P(BudgetLedgerTest, EverySetAndAllocationIsAChainedEventOfItsBudget) {
  repo_->set_budget("R14", 2024, 1'000'000, "财政局 李", "年初预算");
  const BudgetEvent alloc = repo_->append_budget_event(allocation("R14", 2024));
  repo_->set_budget("R14", 2024, 1'500'000, "财政局 李", "追加");
  repo_->set_budget("R15", 2024, 7, "财政局 张", "");

  const auto history = repo_->budget_history("R14", 2024);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].seq, 1);
  EXPECT_EQ(history[0].action, "set");
  EXPECT_EQ(history[0].actor, "财政局 李");
  EXPECT_EQ(history[0].note, "年初预算");
  EXPECT_EQ(history[0].total_fen, 1'000'000);
  EXPECT_EQ(history[0].prev_hash, store::kGenesisHash);
  EXPECT_FALSE(history[0].at.empty());
  EXPECT_EQ(history[1], alloc);
  EXPECT_EQ(alloc.seq, 2);
  EXPECT_EQ(alloc.total_fen, 1'000'000);  // the total when it was allocated, filled in by the repository
  EXPECT_EQ(alloc.payload_json, allocation("R14", 2024).payload_json);
  EXPECT_EQ(alloc.prev_hash, history[0].hash);
  EXPECT_EQ(alloc.hash, store::budget_event_hash(alloc));
  EXPECT_EQ(history[2].total_fen, 1'500'000);
  EXPECT_EQ(history[2].note, "追加");
  EXPECT_EQ(history[2].prev_hash, alloc.hash);
  EXPECT_EQ(repo_->budget_history("R15", 2024).size(), 1u);  // ledgers are per budget
  EXPECT_TRUE(repo_->budget_history("R14", 2023).empty());

  const store::AuditReport r = repo_->verify_audit();
  EXPECT_TRUE(r.clean());
  EXPECT_EQ(r.budgets, 2);
  EXPECT_EQ(r.budget_events, 4);
  const store::CaseId id = repo_->create_case(chain_case("A"), empty_facts());
  EXPECT_EQ(repo_->verify_audit(id).budgets, 0);  // one case's audit checks that case only
}

TEST_P(BudgetLedgerTest, ARefusedOrInvalidChangeWritesNoEvent) {
  repo_->set_budget("R14", 2024, 1'000, "财政局", "");
  const store::CaseId id = repo_->create_case(chain_case("A"), empty_facts());
  repo_->reserve(id, 600);
  EXPECT_THROW(repo_->set_budget("R14", 2024, 599, "财政局", "below what is reserved"), store::BudgetExceededError);
  EXPECT_THROW(repo_->set_budget("R14", 2024, 2'000, " ", ""), std::invalid_argument);
  EXPECT_THROW(repo_->set_budget("R14", 2024, 2'000, "", ""), std::invalid_argument);
  EXPECT_THROW(repo_->set_budget("R14", 2024, -1, "财政局", ""), std::invalid_argument);
  BudgetEvent set = allocation("R14", 2024);
  set.action = "set";
  EXPECT_THROW(repo_->append_budget_event(set), std::invalid_argument);
  BudgetEvent anonymous = allocation("R14", 2024);
  anonymous.actor = "";
  EXPECT_THROW(repo_->append_budget_event(anonymous), std::invalid_argument);
  EXPECT_THROW(repo_->append_budget_event(allocation("R99", 2024)), store::NotFoundError);
  EXPECT_EQ(repo_->budget_history("R14", 2024).size(), 1u);
  EXPECT_EQ(repo_->get_budget("R14", 2024)->total_fen, 1'000);
  {  // inside a unit of work that is rolled back, nothing of it stays either
    store::Transaction tx(*repo_);
    repo_->set_budget("R14", 2024, 5'000, "财政局", "");
    repo_->append_budget_event(allocation("R14", 2024));
  }
  EXPECT_EQ(repo_->budget_history("R14", 2024).size(), 1u);
  EXPECT_TRUE(repo_->verify_audit().clean());
}

TEST_P(BudgetLedgerTest, TamperingWithTheLedgerIsReported) {
  for (const char* p : {"EDIT", "DELETE", "TOTAL", "CLEAN"}) {
    repo_->set_budget(p, 2024, 1'000, "财政局", "");
    repo_->append_budget_event(allocation(p, 2024));
    repo_->set_budget(p, 2024, 2'000, "财政局", "");
  }
  ASSERT_TRUE(repo_->verify_audit().clean());
  tamper({"UPDATE budget_events SET actor = 'nobody' WHERE programme = 'EDIT' AND seq = 2"},
         [](State& s) { s.ledgers[{"EDIT", 2024}].events[1].actor = "nobody"; });
  tamper({"DELETE FROM budget_events WHERE programme = 'DELETE' AND seq = 2"}, [](State& s) {
    auto& events = s.ledgers[{"DELETE", 2024}].events;
    events.erase(events.begin() + 1);
  });
  tamper({"UPDATE budgets SET total_fen = 900000 WHERE programme = 'TOTAL'"},
         [](State& s) { s.budgets[{"TOTAL", 2024}].total_fen = 900'000; });
  const std::vector<std::tuple<std::string, std::int64_t, FindingKind>> expected = {
      {"DELETE/2024", 2, FindingKind::deleted},
      {"EDIT/2024", 2, FindingKind::altered},
      {"TOTAL/2024", 3, FindingKind::budget_mismatch},
  };
  EXPECT_EQ(budget_findings(), expected);
}

TEST_P(BudgetLedgerTest, ReorderedAndDeletedLastEventsAreReported) {
  repo_->set_budget("SWAP", 2024, 1'000, "财政局", "");
  repo_->append_budget_event(allocation("SWAP", 2024));
  repo_->append_budget_event(allocation("SWAP", 2024));
  repo_->set_budget("LAST", 2024, 1'000, "财政局", "");
  repo_->set_budget("LAST", 2024, 2'000, "财政局", "");
  tamper({"UPDATE budget_events SET seq = 1000 WHERE programme = 'SWAP' AND seq = 2",
          "UPDATE budget_events SET seq = 2 WHERE programme = 'SWAP' AND seq = 3",
          "UPDATE budget_events SET seq = 3 WHERE programme = 'SWAP' AND seq = 1000"},
         [](State& s) {
        auto& events = s.ledgers[{"SWAP", 2024}].events;
        std::swap(events[1].seq, events[2].seq);
      });
  tamper({"DELETE FROM budget_events WHERE programme = 'LAST' AND seq = 2"},
         [](State& s) { s.ledgers[{"LAST", 2024}].events.pop_back(); });
  const std::vector<std::tuple<std::string, std::int64_t, FindingKind>> expected = {
      {"LAST/2024", 1, FindingKind::budget_mismatch},  // the remaining `set` says 10 yuan, the row 20
      {"LAST/2024", 2, FindingKind::deleted},
      {"SWAP/2024", 2, FindingKind::reordered},
      {"SWAP/2024", 3, FindingKind::reordered},
  };
  EXPECT_EQ(budget_findings(), expected);
}

TEST_P(BudgetLedgerTest, AwardsAreListedByFilter) {
  const store::CaseId id = repo_->create_case(chain_case("A"), empty_facts());
  using store::Award;
  repo_->record_award(Award{0, "91150800MA0000001X", "R14", 2024, 500, std::nullopt, id, "2024-09-01"});
  repo_->record_award(Award{0, "91150800MA0000001X", "R08", 2023, 300, "专利A", std::nullopt, "2023-11-01"});
  repo_->record_award(Award{0, "91150800MA0000002Y", "R14", 2024, 700, std::nullopt, std::nullopt, "2024-10-01"});
  repo_->record_award(Award{0, "91150800MA0000002Y", "R14", 2023, 100, std::nullopt, std::nullopt, "2023-10-01"});
  auto list = [&](store::AwardFilter f) {
    std::vector<std::pair<std::string, int>> out;
    for (const Award& a : repo_->list_awards(f)) out.emplace_back(a.applicant.substr(16) + a.programme, a.year);
    return out;
  };
  using V = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(list({}), (V{{"1XR08", 2023}, {"2YR14", 2023}, {"1XR14", 2024}, {"2YR14", 2024}}));  // by year, id
  EXPECT_EQ(list({"91150800MA0000001X", std::nullopt, std::nullopt}), (V{{"1XR08", 2023}, {"1XR14", 2024}}));
  EXPECT_EQ(list({std::nullopt, "R14", std::nullopt}), (V{{"2YR14", 2023}, {"1XR14", 2024}, {"2YR14", 2024}}));
  EXPECT_EQ(list({std::nullopt, "R14", 2024}), (V{{"1XR14", 2024}, {"2YR14", 2024}}));
  EXPECT_EQ(list({"91150800MA0000002Y", "R14", 2023}), (V{{"2YR14", 2023}}));
  EXPECT_TRUE(list({std::nullopt, "R99", std::nullopt}).empty());
  EXPECT_EQ(repo_->awards_for("91150800MA0000002Y").size(), 2u);
  const auto all = repo_->list_awards({});
  EXPECT_EQ(all[2].case_id, id);
  EXPECT_EQ(all[1].amount_fen, 100);
  EXPECT_EQ(all[0].achievement, "专利A");
}

store::RulesetSources sources(const std::string& amount) {
  store::RulesetSources r;
  r.files = {{"programmes/r14.rules", "program R14 「研发后补助」 { amount " + amount + "; }\n"},
             {"schema.rules", "fact 企业名称: text;\n"}};
  r.hash = store::ruleset_hash(r.files);
  return r;
}

TEST_P(BudgetLedgerTest, RulesetsAreStoredOncePerHash) {
  const store::RulesetSources v1 = sources("20万元"), v2 = sources("30万元");
  EXPECT_FALSE(repo_->load_ruleset(v1.hash));
  repo_->store_ruleset(v1);
  repo_->store_ruleset(v1);  // the same hash again: nothing changes, no error
  store::RulesetSources again = v1;
  again.created_at = "2030-01-01T00:00:00Z";
  repo_->store_ruleset(again);
  repo_->store_ruleset(v2);
  const auto loaded = repo_->load_ruleset(v1.hash);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->files, v1.files);
  EXPECT_EQ(loaded->hash, v1.hash);
  EXPECT_FALSE(loaded->created_at.empty());
  EXPECT_NE(loaded->created_at, again.created_at);  // the first store stays
  EXPECT_EQ(repo_->load_ruleset(v2.hash)->files, v2.files);

  store::RulesetSources wrong = v2;
  wrong.hash = v1.hash;
  EXPECT_THROW(repo_->store_ruleset(wrong), std::invalid_argument);
  EXPECT_EQ(repo_->load_ruleset(v1.hash)->files, v1.files);

  {  // rolled back with its unit of work
    store::Transaction tx(*repo_);
    repo_->store_ruleset(sources("40万元"));
  }
  EXPECT_FALSE(repo_->load_ruleset(sources("40万元").hash));
}

TEST_P(BudgetLedgerTest, ARulesetChangedInStorageIsCorrupt) {
  const store::RulesetSources r = sources("20万元");
  repo_->store_ruleset(r);
  tamper({"UPDATE ruleset_files SET text = 'program R14 { }' WHERE ord = 0"},
         [&](State& s) { s.rulesets.find(r.hash)->second.files[0].text = "program R14 { }"; });
  EXPECT_THROW(repo_->load_ruleset(r.hash), store::CorruptError);
}

class BudgetLedgerMigrationTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam());
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_P(BudgetLedgerMigrationTest, EveryExistingBudgetStartsItsLedgerWithOneSetByMigration) {
  {  // a database as migration 003 left it, with two budgets
    auto c = soci_store::detail::connect(db_->url(), {});
    *c.sql << "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
    for (const auto& m : soci_store::detail::migration_sources()) {
      if (m.version >= 4) continue;
      for (const std::string& statement : soci_store::detail::migration_statements(m, c.backend)) *c.sql << statement;
      long long version = m.version;
      std::string name = m.name;
      *c.sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, '2024-01-01T00:00:00Z')",
          soci::use(version), soci::use(name);
    }
    *c.sql << "INSERT INTO budgets (programme, year, total_fen, reserved_fen, consumed_fen, updated_at) "
              "VALUES ('R14', 2024, 5000000, 0, 0, '2024-01-01T00:00:00Z')";
    *c.sql << "INSERT INTO budgets (programme, year, total_fen, reserved_fen, consumed_fen, updated_at) "
              "VALUES ('R08', 2025, 7, 0, 0, '2024-01-01T00:00:00Z')";
  }
  const soci_store::MigrationReport r = soci_store::migrate(db_->url());
  EXPECT_EQ(r.from, 3);
  ASSERT_FALSE(r.applied.empty());
  EXPECT_EQ(r.applied.front(), "004_budget_ledger_rulesets");

  auto repo = soci_store::open_repository(db_->url());
  const auto history = repo->budget_history("R14", 2024);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].actor, "migration");
  EXPECT_EQ(history[0].action, "set");
  EXPECT_EQ(history[0].total_fen, 5'000'000);
  EXPECT_EQ(history[0].hash, store::budget_event_hash(history[0]));
  EXPECT_EQ(repo->budget_history("R08", 2025).size(), 1u);
  const store::AuditReport audit = repo->verify_audit();
  EXPECT_TRUE(audit.clean());
  EXPECT_EQ(audit.budgets, 2);
  repo->set_budget("R14", 2024, 6'000'000, "财政局", "");  // and the ledger goes on from there
  EXPECT_EQ(repo->budget_history("R14", 2024).at(1).prev_hash, history[0].hash);
  EXPECT_TRUE(repo->verify_audit().clean());
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Backends, BudgetLedgerTest, ::testing::ValuesIn(kAllKinds),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Backends, BudgetLedgerMigrationTest, ::testing::ValuesIn(kSqlKinds),
                         param_name);

}  // namespace
}  // namespace subsidy::testing
