// What only a real database can show, on SQLite, PostgreSQL and MariaDB: tampering with rows in SQL,
// several processes racing on one database, a process killed mid-import, and schema migrations.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <vector>

#include "soci/migrations.hpp"
#include "test_database.hpp"

namespace subsidy::testing {
namespace {

using store::FindingKind;

store::Case sample_case(const std::string& app) {
  store::Case c;
  c.application_id = app;
  c.programme = "RD_POST";
  c.call_year = 2024;
  c.workflow = "formula";
  c.workflow_version = 1;
  c.stages = {"county_review"};
  c.roles = {"county_bureau"};
  c.state_json = "0";
  return c;
}

store::FactsVersion facts() {
  store::FactsVersion f;
  f.facts_json = "{}";
  return f;
}

store::Event action(store::CaseId id, const std::string& what, const std::string& note) {
  store::Event e;
  e.case_id = id;
  e.actor = "officer";
  e.role = "county_bureau";
  e.action = what;
  e.note = note;
  return e;
}

class SqlRepositoryTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam());
  }
  std::unique_ptr<TestDatabase> db_;
};

// Runs `body(child_index)` in `n` forked processes; returns their exit codes.
template <class F>
std::vector<int> run_processes(int n, F body) {
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 250;
      try {
        code = body(i);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", i, e.what());
        code = 251;
      }
      ::_exit(code);  // no destructors, no gtest teardown in the child
    }
    pids.push_back(pid);
  }
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 252);
  }
  return codes;
}

TEST_P(SqlRepositoryTest, TamperingWithEventRowsIsReported) {
  auto repo = db_->open();
  std::vector<store::CaseId> ids;
  for (const char* app : {"EDIT", "DELETE", "SWAP", "CLEAN"}) {
    const store::CaseId id = repo->create_case(sample_case(app), facts());
    for (int i = 1; i <= 5; ++i) repo->append_event(action(id, "act", "step " + std::to_string(i)));
    ids.push_back(id);
  }
  ASSERT_TRUE(repo->verify_audit().clean());

  const std::string edit = std::to_string(ids[0]), del = std::to_string(ids[1]), swap = std::to_string(ids[2]);
  db_->exec("UPDATE events SET note = 'approved without review' WHERE case_id = " + edit + " AND seq = 2");
  db_->exec("DELETE FROM events WHERE case_id = " + del + " AND seq = 3");
  db_->exec("UPDATE events SET seq = 1000 WHERE case_id = " + swap + " AND seq = 2");
  db_->exec("UPDATE events SET seq = 2 WHERE case_id = " + swap + " AND seq = 4");
  db_->exec("UPDATE events SET seq = 4 WHERE case_id = " + swap + " AND seq = 1000");

  const store::AuditReport report = repo->verify_audit();
  std::vector<std::tuple<store::CaseId, std::int64_t, FindingKind>> got;
  for (const auto& f : report.findings) got.emplace_back(f.case_id, f.seq, f.kind);
  const std::vector<std::tuple<store::CaseId, std::int64_t, FindingKind>> expected = {
      {ids[0], 2, FindingKind::altered},
      {ids[1], 3, FindingKind::deleted},
      {ids[2], 2, FindingKind::reordered},
      {ids[2], 4, FindingKind::reordered},
  };
  EXPECT_EQ(got, expected);
  EXPECT_EQ(report.cases, 4);
  EXPECT_EQ(report.events, 19);
  EXPECT_TRUE(repo->verify_audit(ids[3]).clean());
}

TEST_P(SqlRepositoryTest, DeletedLastEventAndRehashedEditAreReported) {
  auto repo = db_->open();
  const store::CaseId a = repo->create_case(sample_case("A"), facts());
  const store::CaseId b = repo->create_case(sample_case("B"), facts());
  for (int i = 1; i <= 3; ++i) {
    repo->append_event(action(a, "act", std::to_string(i)));
    repo->append_event(action(b, "act", std::to_string(i)));
  }
  db_->exec("DELETE FROM events WHERE case_id = " + std::to_string(a) + " AND seq = 3");
  // An editor who knows the hash function re-hashes the edited event: the next link breaks.
  store::Event e = repo->events(b)[1];
  e.note = "forged";
  db_->exec("UPDATE events SET note = 'forged', hash = '" + store::event_hash(e) + "' WHERE case_id = " +
            std::to_string(b) + " AND seq = 2");
  const auto findings = repo->verify_audit().findings;
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].case_id, a);
  EXPECT_EQ(findings[0].kind, FindingKind::deleted);
  EXPECT_EQ(findings[0].seq, 3);
  EXPECT_EQ(findings[1].case_id, b);
  EXPECT_EQ(findings[1].kind, FindingKind::broken_link);
  EXPECT_EQ(findings[1].seq, 3);
}

TEST_P(SqlRepositoryTest, ProcessesRacingForABudgetNeverOverCommit) {
  constexpr int kProcesses = 4, kAttempts = 25;
  constexpr model::Fen kAmount = 1000, kTotal = 50 * kAmount;  // 100 attempts, room for 50
  std::vector<store::CaseId> ids;
  {
    auto repo = db_->open();
    repo->set_budget("RD_POST", 2024, kTotal, "财政局", "");
    for (int i = 0; i < kProcesses; ++i) ids.push_back(repo->create_case(sample_case("RACE-" + std::to_string(i)), facts()));
  }
  const std::string url = db_->url();
  const auto codes = run_processes(kProcesses, [&](int child) {
    auto repo = soci_store::open_repository(url);
    int granted = 0;
    for (int i = 0; i < kAttempts; ++i) {
      try {
        repo->reserve(ids[static_cast<std::size_t>(child)], kAmount);
        ++granted;
      } catch (const store::BudgetExceededError&) {
      }
    }
    return granted;
  });
  int granted = 0;
  for (int code : codes) {
    ASSERT_LE(code, kAttempts) << "a child failed (exit code " << code << ")";
    granted += code;
  }
  EXPECT_EQ(granted, kTotal / kAmount);
  const store::Budget b = *db_->open()->get_budget("RD_POST", 2024);
  EXPECT_EQ(b.reserved_fen, kTotal);
  EXPECT_LE(b.reserved_fen + b.consumed_fen, b.total_fen);
  model::Fen held = 0;  // the budget's reservations are exactly its cases'
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const model::Fen r = db_->open()->load_case(ids[i]).reserved_fen;
    EXPECT_EQ(r, codes[i] * kAmount);
    held += r;
  }
  EXPECT_EQ(held, b.reserved_fen);
}

TEST_P(SqlRepositoryTest, ProcessesActingOnOneCaseLoseNoUpdate) {
  constexpr int kProcesses = 4, kIncrements = 10;
  const store::CaseId id = db_->open()->create_case(sample_case("SHARED"), facts());
  const std::string url = db_->url();
  const auto codes = run_processes(kProcesses, [&](int child) {
    auto repo = soci_store::open_repository(url);
    int conflicts = 0;
    for (int done = 0; done < kIncrements;) {
      store::Case c = repo->load_case(id);
      c.state_json = std::to_string(std::stoi(c.state_json) + 1);
      try {
        store::Transaction tx(*repo);
        repo->update_case(c, c.version);
        repo->append_event(action(id, "increment", "by process " + std::to_string(child)));
        tx.commit();
        ++done;
      } catch (const store::ConflictError&) {
        ++conflicts;  // someone else was first: reload and try again
      }
    }
    return conflicts > 0 ? 1 : 0;
  });
  int anyone_conflicted = 0;
  for (int code : codes) {
    ASSERT_LE(code, 1) << "a child failed (exit code " << code << ")";
    anyone_conflicted += code;
  }
  auto repo = db_->open();
  const store::Case c = repo->load_case(id);
  EXPECT_EQ(c.state_json, std::to_string(kProcesses * kIncrements));
  EXPECT_EQ(c.version, 1 + kProcesses * kIncrements);
  EXPECT_EQ(repo->events(id).size(), static_cast<std::size_t>(kProcesses * kIncrements));
  EXPECT_TRUE(repo->verify_audit().clean());
  RecordProperty("processes_that_met_a_conflict", anyone_conflicted);
}

TEST_P(SqlRepositoryTest, KilledImportLeavesNoPartialBatchAndReRunCompletesIt) {
  auto batch = [](int from, int to) {
    std::vector<store::NewCase> out;
    for (int i = from; i < to; ++i) out.push_back({sample_case("IMPORT-" + std::to_string(i)), facts()});
    return out;
  };
  db_->open();  // schema in place before the child starts
  const std::string url = db_->url();
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      auto repo = soci_store::open_repository(url);
      repo->create_cases_batch(batch(0, 100));  // committed
      repo->begin();
      for (const auto& r : repo->create_cases_batch(batch(100, 200))) repo->append_event(action(r.id, "submit", ""));
      ::raise(SIGKILL);  // killed mid-import, before the second batch commits
    } catch (...) {
    }
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child was expected to be killed";

  auto repo = db_->open();
  EXPECT_EQ(repo->list_cases({}).size(), 100u);  // the first batch, and nothing of the second
  EXPECT_FALSE(repo->find_by_application_id("IMPORT-150"));
  EXPECT_TRUE(repo->verify_audit().clean());
  // Re-running the import completes it without duplicates.
  const auto again = repo->create_cases_batch(batch(0, 200));
  EXPECT_EQ(std::count_if(again.begin(), again.end(), [](const store::CreateResult& r) { return r.created; }), 100);
  EXPECT_EQ(repo->list_cases({}).size(), 200u);
}

TEST_P(SqlRepositoryTest, MigrationsBringAFreshDatabaseToTheLatestVersion) {
  const int latest = soci_store::latest_schema_version();
  EXPECT_GE(latest, 1);
  if (GetParam() == Kind::sqlite) {
    EXPECT_EQ(soci_store::schema_version(db_->url()), 0);
    db_->open();  // a fresh SQLite file is migrated on open
    EXPECT_EQ(soci_store::schema_version(db_->url()), latest);
    EXPECT_TRUE(soci_store::migrate(db_->url()).applied.empty());
  } else {
    try {
      soci_store::open_repository(db_->url());
      FAIL() << "expected schema_too_old";
    } catch (const store::SchemaTooOldError& e) {
      EXPECT_EQ(e.kind(), store::ErrorKind::schema_too_old);
      EXPECT_EQ(e.database_version(), 0);
    }
    const soci_store::MigrationReport r = soci_store::migrate(db_->url());
    EXPECT_EQ(r.from, 0);
    EXPECT_EQ(r.to, latest);
    ASSERT_FALSE(r.applied.empty());
    EXPECT_EQ(r.applied.front(), "001_init");
    EXPECT_TRUE(soci_store::migrate(db_->url()).applied.empty());
    EXPECT_NO_THROW(soci_store::open_repository(db_->url()));
  }
}

TEST_P(SqlRepositoryTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  const std::string url = db_->url();
  const auto codes = run_processes(3, [&](int) {
    soci_store::OpenOptions o;
    o.busy_timeout = std::chrono::milliseconds(20000);
    return static_cast<int>(soci_store::migrate(url, o).applied.size());
  });
  int applied = 0;
  for (int code : codes) {
    ASSERT_LE(code, 100) << "a child failed (exit code " << code << ")";
    applied += code;
  }
  EXPECT_EQ(applied, static_cast<int>(soci_store::detail::migration_sources().size()));
  EXPECT_EQ(soci_store::schema_version(url), soci_store::latest_schema_version());
}

TEST_P(SqlRepositoryTest, NewerSchemaIsRefused) {
  db_->open();
  db_->exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00Z')");
  try {
    soci_store::open_repository(db_->url());
    FAIL() << "expected schema_too_new";
  } catch (const store::SchemaTooNewError& e) {
    EXPECT_EQ(e.kind(), store::ErrorKind::schema_too_new);
    EXPECT_EQ(e.database_version(), 999);
    EXPECT_EQ(e.known_version(), soci_store::latest_schema_version());
  }
  EXPECT_THROW(soci_store::migrate(db_->url()), store::SchemaTooNewError);
}

TEST_P(SqlRepositoryTest, BudgetInvariantIsAlsoADatabaseConstraint) {
  auto repo = db_->open();
  repo->set_budget("RD_POST", 2024, 100, "财政局", "");
  EXPECT_ANY_THROW(db_->exec("UPDATE budgets SET reserved_fen = 101 WHERE programme = 'RD_POST'"));
  EXPECT_EQ(repo->get_budget("RD_POST", 2024)->reserved_fen, 0);
}

TEST_P(SqlRepositoryTest, WaitingForALockBeyondTheTimeoutIsUnavailable) {
  auto holder = db_->open();
  const store::CaseId id = holder->create_case(sample_case("A"), facts());
  soci_store::OpenOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(200);
  auto waiter = db_->open(quick);
  store::Case mine = holder->load_case(id), theirs = waiter->load_case(id);

  holder->begin();  // SQLite: the database's write lock; PostgreSQL, MariaDB: the case row's lock
  mine.stages = {"city_review"};
  holder->update_case(mine, mine.version);
  theirs.stages = {"rejected"};
  try {
    waiter->update_case(theirs, theirs.version);
    FAIL() << "expected UnavailableError";
  } catch (const store::UnavailableError& e) {
    std::string message = e.what();
    std::transform(message.begin(), message.end(), message.begin(), [](unsigned char ch) { return std::tolower(ch); });
    EXPECT_NE(message.find("lock"), std::string::npos) << e.what();  // "database is locked", "Lock wait timeout …"
  }
  holder->commit();
  EXPECT_THROW(waiter->update_case(theirs, theirs.version), store::ConflictError);  // and then it is simply late
  EXPECT_EQ(waiter->load_case(id).stages, std::vector<std::string>{"city_review"});
}

// PostgreSQL, MariaDB: a case another transaction has locked is skipped at once (SKIP LOCKED), and free
// again after that transaction ends. SQLite: the first unit of work holds the database's write
// lock, so a second one cannot even begin until it ends (lock_case is then always true).
TEST_P(SqlRepositoryTest, LockCaseSkipsACaseAnotherUnitOfWorkHolds) {
  auto first = db_->open();
  const store::CaseId id = first->create_case(sample_case("A"), facts());
  const store::CaseId other = first->create_case(sample_case("B"), facts());
  soci_store::OpenOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(200);
  auto second = db_->open(quick);

  first->begin();
  ASSERT_TRUE(first->lock_case(id));
  if (GetParam() != Kind::sqlite) {  // row locks: PostgreSQL, MariaDB
    second->begin();
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(second->lock_case(id));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));  // did not wait
    EXPECT_TRUE(second->lock_case(other));  // only that row is taken
    EXPECT_THROW(second->lock_case(4242), store::NotFoundError);
    first->commit();
    EXPECT_TRUE(second->lock_case(id));
    // Now the second holds it: the first is the one skipped.
    first->begin();
    EXPECT_FALSE(first->lock_case(id));
    first->rollback();
    second->rollback();
    first->begin();
    EXPECT_TRUE(first->lock_case(id));  // a rollback frees it too
    first->commit();
  } else {
    EXPECT_THROW(second->begin(), store::UnavailableError);
    first->commit();
    second->begin();
    EXPECT_TRUE(second->lock_case(id));
    second->commit();
  }
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Backends, SqlRepositoryTest, ::testing::ValuesIn(kSqlKinds), param_name);

}  // namespace
}  // namespace subsidy::testing
