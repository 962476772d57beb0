// The database's audit hash (migration 010, docs/storage.md §4) and the paged chain check, on every
// SQL backend: SHA-256 by default, SM3 when chosen before the first event and then used by every
// chain; the choice refused once events exist; verify_audit over more than two pages of cases equal
// to the per-case check (the one-statement path) on seeded random damage.
#include <gtest/gtest.h>

#include <random>

#include "soci/soci_store.hpp"
#include "store/errors.hpp"
#include "test_database.hpp"

namespace subsidy::testing {
namespace {

using store::HashAlgorithm;

store::Event step(store::CaseId id, int n) {
  store::Event e;
  e.case_id = id;
  e.actor = "甲";
  e.role = "申报单位";
  e.action = n == 0 ? "submit" : "approve";
  e.to_stage = "stage" + std::to_string(n);
  e.note = "步骤 " + std::to_string(n);
  return e;
}

class AuditHashTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam(), "/dev/shm");
    soci_store::migrate(db_->url());
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_P(AuditHashTest, ADatabaseWithoutTheSettingIsSha256) {
  auto repo = db_->open();
  EXPECT_EQ(repo->hash_algorithm(), HashAlgorithm::sha256);
  const auto id = repo->create_case(chain_case("A-1"), empty_facts());
  const auto e = repo->append_event(step(id, 0));
  EXPECT_EQ(e.hash, store::event_hash(e, HashAlgorithm::sha256));
}

TEST_P(AuditHashTest, Sm3ChosenBeforeTheFirstEventChainsEverything) {
  EXPECT_EQ(soci_store::choose_audit_hash(db_->url(), HashAlgorithm::sm3), HashAlgorithm::sm3);
  auto repo = db_->open();
  EXPECT_EQ(repo->hash_algorithm(), HashAlgorithm::sm3);
  const auto id = repo->create_case(chain_case("A-1"), empty_facts());
  std::vector<store::Event> stored;
  for (int n = 0; n < 3; ++n) stored.push_back(repo->append_event(step(id, n)));
  for (const auto& e : stored) {
    EXPECT_EQ(e.hash, store::event_hash(e, HashAlgorithm::sm3));
    EXPECT_NE(e.hash, store::event_hash(e, HashAlgorithm::sha256));
  }
  EXPECT_EQ(stored[1].prev_hash, stored[0].hash);
  repo->set_budget("R14", 2024, 1'000'000, "财政局", "");
  const auto ledger = repo->budget_history("R14", 2024);
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].hash, store::budget_event_hash(ledger[0], HashAlgorithm::sm3));
  EXPECT_TRUE(repo->verify_audit().clean());
  // the same choice again is accepted; another one is refused now
  EXPECT_EQ(soci_store::choose_audit_hash(db_->url(), HashAlgorithm::sm3), HashAlgorithm::sm3);
  EXPECT_THROW(soci_store::choose_audit_hash(db_->url(), HashAlgorithm::sha256), store::ConflictError);
  // the setting edited around the repository: every event and the ledger no longer verify
  repo.reset();
  db_->exec("UPDATE settings SET value = 'sha256' WHERE name = 'audit_hash'");
  const auto report = db_->open()->verify_audit();
  int altered = 0;
  for (const auto& f : report.findings) altered += f.kind == store::FindingKind::altered;
  EXPECT_EQ(altered, 4) << report.findings.size();
}

TEST_P(AuditHashTest, TheHashOfADatabaseWithEventsCannotChange) {
  {
    auto repo = db_->open();
    repo->append_event(step(repo->create_case(chain_case("A-1"), empty_facts()), 0));
  }
  try {
    soci_store::choose_audit_hash(db_->url(), HashAlgorithm::sm3);
    FAIL() << "no ConflictError";
  } catch (const store::ConflictError& e) {
    EXPECT_NE(std::string(e.what()).find("1 case events and 0 budget events chained with sha256"), std::string::npos) << e.what();
  }
  EXPECT_EQ(soci_store::choose_audit_hash(db_->url(), HashAlgorithm::sha256), HashAlgorithm::sha256);  // what it is
  EXPECT_EQ(db_->open()->hash_algorithm(), HashAlgorithm::sha256);
}

TEST_P(AuditHashTest, AnUnknownSettingIsCorrupt) {
  db_->exec("INSERT INTO settings (name, value) VALUES ('audit_hash', 'md5')");
  EXPECT_THROW(db_->open(), store::CorruptError);
}

// verify_audit reads the events in pages of 256 cases; over 700 cases with seeded random damage
// (edited, deleted, reordered events, a case's events all gone) its findings and counts are those
// of verify_audit(id) case by case, which reads each case's events with one statement.
TEST_P(AuditHashTest, PagedVerificationEqualsTheCaseByCaseCheck) {
  for (auto hash : {HashAlgorithm::sha256, HashAlgorithm::sm3}) {
    SCOPED_TRACE(store::hash_algorithm_name(hash));
    db_ = std::make_unique<TestDatabase>(GetParam(), "/dev/shm");
    soci_store::migrate(db_->url());
    soci_store::choose_audit_hash(db_->url(), hash);
    std::mt19937 rng(hash == HashAlgorithm::sm3 ? 1303 : 1302);
    auto repo = db_->open();
    std::vector<store::NewCase> batch;
    for (int i = 0; i < 700; ++i) batch.push_back({chain_case("P-" + std::to_string(i)), empty_facts()});
    repo->begin();
    const auto created = repo->create_cases_batch(batch);
    for (const auto& r : created) {
      const int n = static_cast<int>(rng() % 4);  // some cases without events
      for (int k = 0; k < n; ++k) repo->append_event(step(r.id, k));
    }
    repo->commit();
    std::vector<std::string> damage;
    for (const auto& r : created) {
      const std::string id = std::to_string(r.id);
      switch (rng() % 12) {
        case 0: damage.push_back("UPDATE events SET note = 'x' WHERE case_id = " + id + " AND seq = 1"); break;
        case 1: damage.push_back("DELETE FROM events WHERE case_id = " + id + " AND seq = 2"); break;
        case 2: damage.push_back("DELETE FROM events WHERE case_id = " + id); break;
        case 3: damage.push_back("UPDATE events SET seq = 100 WHERE case_id = " + id + " AND seq = 3"); break;
        default: break;
      }
    }
    for (const auto& sql : damage) db_->exec(sql);
    repo = db_->open();
    const store::AuditReport whole = repo->verify_audit();
    store::AuditReport by_case;
    for (const auto& r : created) {
      const auto one = repo->verify_audit(r.id);
      by_case.cases += one.cases;
      by_case.events += one.events;
      by_case.findings.insert(by_case.findings.end(), one.findings.begin(), one.findings.end());
    }
    EXPECT_EQ(whole.cases, 700);
    EXPECT_EQ(whole.cases, by_case.cases);
    EXPECT_EQ(whole.events, by_case.events);
    EXPECT_FALSE(by_case.findings.empty());
    EXPECT_EQ(whole.findings, by_case.findings);  // no budgets here: the cases' findings only
  }
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Backends, AuditHashTest, ::testing::ValuesIn(kSqlKinds), param_name);

}  // namespace
}  // namespace subsidy::testing
