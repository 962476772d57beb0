// Database URLs and failure behaviour: what happens when the database is unreachable, locked or
// not a database at all.
#include <gtest/gtest.h>

#include <soci/soci.h>

#include <chrono>
#include <exception>
#include <fstream>
#include <thread>

#include "soci/migrations.hpp"
#include "test_database.hpp"

namespace subsidy::testing {
namespace {

using soci_store::Backend;

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }

TEST(DatabaseUrl, ChoosesTheBackend) {
  EXPECT_EQ(soci_store::parse_database_url("subsidy.db").backend, Backend::sqlite);
  EXPECT_EQ(soci_store::parse_database_url("subsidy.db").target, "subsidy.db");
  EXPECT_EQ(soci_store::parse_database_url("sqlite:/var/lib/subsidy/cases.db").target, "/var/lib/subsidy/cases.db");
  EXPECT_EQ(soci_store::parse_database_url("sqlite:///tmp/x.db").target, "/tmp/x.db");
  const auto pg = soci_store::parse_database_url("postgresql://u:p@db.example/subsidy");
  EXPECT_EQ(pg.backend, Backend::postgresql);
  EXPECT_EQ(pg.target, "postgresql://u:p@db.example/subsidy");
  EXPECT_EQ(soci_store::parse_database_url("postgres://db/x").backend, Backend::postgresql);
  EXPECT_EQ(soci_store::parse_database_url("mysql://db/x").backend, Backend::mysql);
  EXPECT_EQ(soci_store::parse_database_url("mariadb://db/x").backend, Backend::mysql);
  EXPECT_THROW(soci_store::parse_database_url("oracle://db/x"), store::UnavailableError);
  EXPECT_THROW(soci_store::parse_database_url(""), store::UnavailableError);
  EXPECT_THROW(soci_store::parse_database_url("sqlite:"), store::UnavailableError);
}

// mysql://… URLs become SOCI's MySQL connection string (values quoted, percent-decoded); SOCI's own
// form is passed on as it is.
TEST(DatabaseUrl, MysqlUrlsBecomeSociConnectionStrings) {
  auto target = [](const std::string& url) { return soci_store::parse_database_url(url).target; };
  EXPECT_EQ(target("mysql://subsidy:secret@127.0.0.1:3306/subsidy"),
            "user='subsidy' password='secret' host='127.0.0.1' port='3306' db='subsidy'");
  EXPECT_EQ(target("mariadb://db.example/cases"), "host='db.example' db='cases'");
  EXPECT_EQ(target("mysql://u:p%40ss%27w%5Cd@h/d%C3%A9"), "user='u' password='p@ss\\'w\\\\d' host='h' db='dé'");
  EXPECT_EQ(target("mysql://u@/cases?unix_socket=/run/mysqld/mysqld.sock&connect_timeout=3"),
            "user='u' db='cases' unix_socket='/run/mysqld/mysqld.sock' connect_timeout='3'");
  EXPECT_EQ(target("mysql://db=cases user=u password='a b'"), "db=cases user=u password='a b'");
  for (const char* bad : {"mysql://h", "mysql://h/", "mysql://h:port/db", "mysql://h/a/b", "mysql://h/db?reconnect=1",
                          "mysql://h/db?nosuch=1", "mysql://h/db%zz"}) {
    EXPECT_THROW(soci_store::parse_database_url(bad), store::UnavailableError) << bad;
  }
  try {
    soci_store::parse_database_url("mysql://u:secret@h/db?reconnect=1");
    FAIL() << "expected UnavailableError";
  } catch (const store::UnavailableError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown option 'reconnect'"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
  }
}

TEST(DatabaseUrl, OdbcUrlsNameTheDialectAndTheDriversConnectionString) {
  const auto odbc = soci_store::parse_database_url("odbc:mysql:DSN=subsidy;UID=u;PWD=secret");
  EXPECT_EQ(odbc.backend, Backend::mysql);
  EXPECT_TRUE(odbc.odbc);
  EXPECT_EQ(odbc.target, "DSN=subsidy;UID=u;PWD=secret");
  EXPECT_TRUE(soci_store::parse_database_url("odbc:mariadb:DSN=x").odbc);
  EXPECT_FALSE(soci_store::parse_database_url("mysql://h/db").odbc);
  for (const char* bad : {"odbc:", "odbc:mysql:", "odbc:oracle:DSN=x", "odbc:DSN=x"}) {
    EXPECT_THROW(soci_store::parse_database_url(bad), store::UnavailableError) << bad;
  }
}

TEST(DatabaseUrl, RedactsPasswords) {
  EXPECT_EQ(soci_store::redact_url("odbc:mysql:DSN=x;UID=u;PWD=secret;OPTION=2"), "odbc:mysql:DSN=x;UID=u;PWD=***;OPTION=2");
  EXPECT_EQ(soci_store::redact_url("odbc:mysql:DSN=x;pwd={se;cret}"), "odbc:mysql:DSN=x;pwd=***");
  EXPECT_EQ(soci_store::redact_url("mysql://subsidy:secret@127.0.0.1:3306/db"), "mysql://subsidy:***@127.0.0.1:3306/db");
  EXPECT_EQ(soci_store::redact_url("mysql://db=x user=u password='a b' host=h"),
            "mysql://db=x user=u password=*** host=h");
  EXPECT_EQ(soci_store::redact_url("mysql://db=x pass=secret"), "mysql://db=x pass=***");
  EXPECT_EQ(soci_store::redact_url("postgresql://h/db?password=secret&sslmode=require"),
            "postgresql://h/db?password=***&sslmode=require");
  EXPECT_EQ(soci_store::redact_url("postgresql://subsidy:secret@127.0.0.1:5432/db"),
            "postgresql://subsidy:***@127.0.0.1:5432/db");
  EXPECT_EQ(soci_store::redact_url("postgresql://subsidy@host/db"), "postgresql://subsidy@host/db");
  EXPECT_EQ(soci_store::redact_url("/tmp/a:b@c.db"), "/tmp/a:b@c.db");
}

TEST(DatabaseUrl, ResolvesFlagThenEnvironmentThenDefault) {
  ::unsetenv("SUBSIDY_DB");
  EXPECT_EQ(soci_store::resolve_database_url(""), "subsidy.db");
  ::setenv("SUBSIDY_DB", "postgresql://h/db", 1);
  EXPECT_EQ(soci_store::resolve_database_url(""), "postgresql://h/db");
  EXPECT_EQ(soci_store::resolve_database_url("x.db"), "x.db");
  ::unsetenv("SUBSIDY_DB");
}

TEST(Failures, UnreachablePostgresIsUnavailable) {
  try {
    soci_store::open_repository("postgresql://subsidy:secret@127.0.0.1:1/nowhere");
    FAIL() << "expected UnavailableError";
  } catch (const store::UnavailableError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot open database"), std::string::npos) << message;
    EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;  // the backend's own words
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    EXPECT_EQ(e.kind(), store::ErrorKind::unavailable);
  }
}

TEST(Failures, UnopenableSqliteFileIsUnavailable) {
  EXPECT_THROW(soci_store::open_repository("/nonexistent-dir/subsidy.db"), store::UnavailableError);
}

TEST(Failures, NotADatabaseIsCorrupt) {
  TestDatabase db(Kind::sqlite);
  std::ofstream(db.path()) << std::string(8192, 'x');
  EXPECT_THROW(soci_store::open_repository(db.url()), store::CorruptError);
}

TEST(Failures, LockedSqliteIsUnavailableAfterTheBusyTimeout) {
  TestDatabase db(Kind::sqlite);
  auto holder = db.open();
  const store::CaseId id = holder->create_case([] {
    store::Case c;
    c.application_id = "A";
    c.programme = "RD_POST";
    return c;
  }(), {});
  soci_store::OpenOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(100);
  auto waiter = db.open(quick);
  holder->begin();  // holds the write lock
  holder->set_budget("RD_POST", 2024, 1, "财政局", "");
  try {
    waiter->set_budget("RD_POST", 2024, 2, "财政局", "");
    FAIL() << "expected UnavailableError";
  } catch (const store::UnavailableError& e) {
    EXPECT_NE(std::string(e.what()).find("locked"), std::string::npos) << e.what();
  }
  EXPECT_EQ(waiter->load_case(id).application_id, "A");  // WAL: readers are not blocked
  holder->commit();
  EXPECT_EQ(waiter->set_budget("RD_POST", 2024, 2, "财政局", "").total_fen, 2);  // and the writer gets through afterwards
}

TEST(Failures, FreshSqliteIsNotMigratedWhenAskedNotTo) {
  TestDatabase db(Kind::sqlite);
  soci_store::OpenOptions o;
  o.migrate_fresh_sqlite = false;
  EXPECT_THROW(db.open(o), store::SchemaTooOldError);
  EXPECT_EQ(soci_store::migrate(db.url()).to, soci_store::latest_schema_version());
  EXPECT_NO_THROW(db.open(o));
}

TEST(Migrations, StatementsAreSplitPerBackend) {
  const auto& m = soci_store::detail::migration_sources().front();
  const auto sqlite = soci_store::detail::migration_statements(m, Backend::sqlite);
  const auto pg = soci_store::detail::migration_statements(m, Backend::postgresql);
  const auto my = soci_store::detail::migration_statements(m, Backend::mysql);
  ASSERT_EQ(sqlite.size(), pg.size());
  ASSERT_EQ(sqlite.size(), my.size());
  EXPECT_NE(sqlite.front().find("INTEGER PRIMARY KEY AUTOINCREMENT"), std::string::npos);
  EXPECT_NE(pg.front().find("BIGSERIAL PRIMARY KEY"), std::string::npos);
  EXPECT_NE(my.front().find("BIGINT AUTO_INCREMENT PRIMARY KEY"), std::string::npos);
  // MySQL: keys are VARCHAR, other text LONGTEXT, and every table utf8mb4 compared byte for byte.
  EXPECT_NE(sqlite.front().find("application_id TEXT NOT NULL UNIQUE"), std::string::npos) << sqlite.front();
  EXPECT_NE(my.front().find("application_id VARCHAR(255) NOT NULL UNIQUE"), std::string::npos) << my.front();
  EXPECT_NE(my.front().find("state_json LONGTEXT NOT NULL"), std::string::npos) << my.front();
  EXPECT_NE(my.front().find(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"), std::string::npos);
  for (const auto& source : soci_store::detail::migration_sources()) {
    for (const auto& s : soci_store::detail::migration_statements(source, Backend::mysql)) {
      EXPECT_EQ(s.find("{{"), std::string::npos) << s;
      EXPECT_EQ(s.find(" TEXT"), std::string::npos) << s;
    }
  }
  for (const auto& s : sqlite) {
    EXPECT_EQ(s.find("--"), std::string::npos) << s;
    EXPECT_EQ(s.find(';'), std::string::npos) << s;
  }
}

// A server's errors become the typed store errors of docs/storage.md §9: a lost connection is
// `unavailable`, a deadlock and a duplicate key `conflict` (a lock waited for beyond the busy
// timeout: SqlRepositoryTest.WaitingForALockBeyondTheTimeoutIsUnavailable).
class ServerFailureTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam());
    db_->open()->set_budget("RD_POST", 2024, 100, "财政局", "");
    db_->open()->set_budget("R14", 2024, 100, "财政局", "");
  }
  // Runs `sql` on `c` as the repository does, translating a failure into a StoreError.
  static void run(soci_store::detail::Connection& c, const std::string& sql) {
    try {
      *c.sql << sql;
    } catch (...) {
      soci_store::detail::rethrow_translated(c, "test statement");
    }
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_P(ServerFailureTest, ADeadlockIsAConflictForOneOfTheTwo) {
  auto a = soci_store::detail::connect(db_->url(), {});
  auto b = soci_store::detail::connect(db_->url(), {});
  run(a, a.sql_dialect().begin_write);
  run(b, b.sql_dialect().begin_write);
  run(a, "UPDATE budgets SET total_fen = 101 WHERE programme = 'RD_POST'");
  run(b, "UPDATE budgets SET total_fen = 102 WHERE programme = 'R14'");
  std::exception_ptr a_failed;
  std::thread crossing([&] {
    try {
      run(a, "UPDATE budgets SET total_fen = 103 WHERE programme = 'R14'");  // waits for b
    } catch (...) {
      a_failed = std::current_exception();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::exception_ptr b_failed;
  try {
    run(b, "UPDATE budgets SET total_fen = 104 WHERE programme = 'RD_POST'");  // waits for a: a cycle
  } catch (...) {
    b_failed = std::current_exception();
  }
  if (b_failed) run(b, "ROLLBACK");  // lets a through, if a was not the one chosen
  crossing.join();
  ASSERT_NE(a_failed == nullptr, b_failed == nullptr) << "exactly one of the two is chosen to fail";
  EXPECT_THROW(std::rethrow_exception(a_failed ? a_failed : b_failed), store::ConflictError);
}

TEST_P(ServerFailureTest, ADuplicateKeyIsAConflict) {
  auto c = soci_store::detail::connect(db_->url(), {});
  EXPECT_THROW(run(c, "INSERT INTO budgets (programme, year, total_fen, updated_at) VALUES ('R14', 2024, 1, 'x')"),
               store::ConflictError);
}

TEST_P(ServerFailureTest, ALostConnectionIsUnavailable) {
  auto victim = soci_store::detail::connect(db_->url(), {});
  auto killer = soci_store::detail::connect(db_->url(), {});
  long long id = 0;
  if (GetParam() != Kind::postgresql) {
    *victim.sql << "SELECT CONNECTION_ID()", soci::into(id);
    *killer.sql << "KILL " + std::to_string(id);
  } else {
    *victim.sql << "SELECT pg_backend_pid()", soci::into(id);
    *killer.sql << "SELECT pg_terminate_backend(" + std::to_string(id) + ")";
  }
  EXPECT_THROW(run(victim, "SELECT count(*) FROM budgets"), store::UnavailableError);
}

// A refused login says why, whichever way MariaDB is reached (ODBC: no login dialog is attempted,
// whose failure would be all the message said), and never shows the password.
TEST(Failures, AWrongMariadbPasswordIsUnavailableAndSaysSo) {
  if (const char* why = skip_reason(Kind::mariadb)) GTEST_SKIP() << why;
  const std::string base = mariadb_base_url();
  const auto slash = base.find('/', base.find("://") + 3);
  const std::string db = base.substr(slash + 1, base.find('?', slash) - slash - 1);
  const auto colon = base.find(':', base.find("://") + 3), at = base.find('@');
  const std::string wrong = base.substr(0, colon + 1) + "WrongPw42" + base.substr(at);
  for (const std::string& url : {wrong, odbc_url(wrong, db)}) {
    try {
      soci_store::open_repository(url);
      FAIL() << "expected UnavailableError";
    } catch (const store::UnavailableError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("Access denied"), std::string::npos) << message;
      EXPECT_EQ(message.find("WrongPw42"), std::string::npos) << message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerFailureTest, ::testing::Values(Kind::postgresql, Kind::mariadb, Kind::odbc),
                         param_name);

// 002 replaces 001's amount_fen by the case's own reservation: where a budget exists, a paid case
// consumed it and any other case holds it; without a budget it was never a reservation.
class MigrationTest : public ::testing::TestWithParam<Kind> {};

TEST_P(MigrationTest, ReservationsAreCarriedOverFromAmountFen) {
  if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
  TestDatabase db(GetParam());
  const Backend backend = backend_of(GetParam());
  for (const auto& stmt : soci_store::detail::migration_statements(soci_store::detail::migration_sources().front(), backend))
    db.exec(stmt);
  db.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  db.exec("INSERT INTO schema_migrations VALUES (1, 'init', '2024-01-01T00:00:00Z')");
  db.exec("INSERT INTO budgets (programme, year, total_fen, reserved_fen, consumed_fen, updated_at) "
          "VALUES ('R14', 2024, 1000, 300, 200, 'x')");
  auto add = [&](int id, const char* programme, int amount) {
    db.exec("INSERT INTO cases (id, application_id, programme, call_year, workflow, workflow_version, amount_fen, version, "
            "event_head, created_at, updated_at) VALUES (" + std::to_string(id) + ", 'A" + std::to_string(id) + "', '" +
            programme + "', 2024, 'competitive', 1, " + std::to_string(amount) + ", 1, 'h', 'x', 'x')");
  };
  add(1, "R14", 300);  // approved: holds it
  add(2, "R14", 200);  // disbursed
  add(3, "R08", 50);   // paid without a budget
  add(4, "R14", 0);
  db.exec("INSERT INTO awards (applicant, programme, year, amount_fen, case_id, disbursed_at) VALUES ('A2', 'R14', 2024, 200, 2, 'x')");
  db.exec("INSERT INTO awards (applicant, programme, year, amount_fen, case_id, disbursed_at) VALUES ('A3', 'R08', 2024, 50, 3, 'x')");
  const auto report = soci_store::migrate(db.url());
  EXPECT_EQ(report.from, 1);
  EXPECT_EQ(report.to, soci_store::latest_schema_version());
  auto repo = soci_store::open_repository(db.url());
  auto held = [&](store::CaseId id) {
    const auto c = repo->load_case(id);
    return std::pair<model::Fen, model::Fen>{c.reserved_fen, c.consumed_fen};
  };
  EXPECT_EQ(held(1), (std::pair<model::Fen, model::Fen>{300, 0}));
  EXPECT_EQ(held(2), (std::pair<model::Fen, model::Fen>{0, 200}));
  EXPECT_EQ(held(3), (std::pair<model::Fen, model::Fen>{0, 0}));
  EXPECT_EQ(held(4), (std::pair<model::Fen, model::Fen>{0, 0}));
  EXPECT_EQ(repo->release(1, 300).reserved_fen, 0);  // the carried-over reservation is the case's own
  EXPECT_THROW(repo->release(2, 1), store::ConflictError);
}

// 003 moves the applicant, the running timer and "closed" into columns, backfilled from the first
// event's payload, the stored workflow state and what the row shows of a terminal stage.
TEST_P(MigrationTest, CaseColumnsAreBackfilledFromEventsAndState) {
  if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
  TestDatabase db(GetParam());
  const Backend backend = backend_of(GetParam());
  for (const auto& m : soci_store::detail::migration_sources()) {
    if (m.version > 2) break;
    for (const auto& stmt : soci_store::detail::migration_statements(m, backend)) db.exec(stmt);
  }
  db.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  db.exec("INSERT INTO schema_migrations VALUES (1, 'init', '2024-01-01T00:00:00Z')");
  db.exec("INSERT INTO schema_migrations VALUES (2, 'case_reservations', '2024-01-01T00:00:00Z')");
  auto add = [&](int id, const std::string& stages, const std::string& roles, const std::string& deadlines,
                 const std::string& state) {
    db.exec("INSERT INTO cases (id, application_id, programme, call_year, workflow, workflow_version, stages, roles, "
            "state_json, deadlines, version, event_head, created_at, updated_at) VALUES (" + std::to_string(id) +
            ", 'APP-" + std::to_string(id) + "', 'R14', 2024, 'formula', 1, '" + stages + "', '" + roles + "', '" +
            state + "', '" + deadlines + "', 1, 'h', 'x', 'x')");
  };
  auto event = [&](int id, int seq, const std::string& payload) {
    db.exec("INSERT INTO events (case_id, seq, actor, role, action, from_stage, to_stage, note, occurred_at, "
            "payload_json, prev_hash, hash) VALUES (" + std::to_string(id) + ", " + std::to_string(seq) +
            ", 'a', 'r', 'create', '', 's', '', 'x', '" + payload + "', 'p', 'h')");
  };
  const std::string publicity =
      R"({"version":1,"workflow":"formula","stage":"publicity","entered":"2024-06-07","last":"2024-06-07",)"
      R"("responsible":"市科技局","due":null,"timer":"2024-06-14","return_to":"","paused":null,"corrections":0,)"
      R"("reviewers":[],"votes":[]})";
  const std::string terminal =
      R"({"version":1,"workflow":"formula","stage":"closed","entered":"2024-06-20","last":"2024-06-20",)"
      R"("responsible":"","due":null,"timer":null,"return_to":"","paused":null,"corrections":1,"reviewers":[],"votes":[]})";
  const std::string review =
      R"({"version":1,"workflow":"formula","stage":"county_review","entered":"2024-06-03","last":"2024-06-03",)"
      R"("responsible":"市科技局","due":"2024-06-07","timer":null,"return_to":"","paused":null,"corrections":0,)"
      R"("reviewers":[],"votes":[]})";
  add(1, "|publicity|", "|市科技局|", "", publicity);
  event(1, 1, R"({"applicant":"914403001922038216","workflow":[]})");
  event(1, 2, R"({"applicant":"91440300708461136T","workflow":[]})");  // only the first event names it
  add(2, "|closed|", "", "", terminal);
  event(2, 1, R"({"workflow":[]})");                                   // no applicant: the application id
  add(3, "|county_review|", "|市科技局|", "2024-06-07 county_review\n", review);
  event(3, 1, R"({"applicant":42,"workflow":[]})");                    // not a string
  add(4, "|county_review|", "", "2024-06-07 county_review\n", "");     // nobody responsible, but a deadline
  event(4, 1, "not json");
  add(5, "", "", "", "");                                              // no events, no stage

  const auto report = soci_store::migrate(db.url());
  EXPECT_EQ(report.from, 2);
  EXPECT_EQ(report.to, soci_store::latest_schema_version());
  auto repo = soci_store::open_repository(db.url());
  struct Columns {
    std::string applicant;
    std::optional<model::Days> timer_due;
    bool closed;
    bool operator==(const Columns&) const = default;
  };
  auto columns = [&](store::CaseId id) {
    const auto c = repo->load_case(id);
    return Columns{c.applicant, c.timer_due, c.closed};
  };
  EXPECT_EQ(columns(1), (Columns{"914403001922038216", model::parse_date("2024-06-14"), false}));
  EXPECT_EQ(columns(2), (Columns{"APP-2", std::nullopt, true}));
  EXPECT_EQ(columns(3), (Columns{"APP-3", std::nullopt, false}));
  EXPECT_EQ(columns(4), (Columns{"APP-4", std::nullopt, false}));
  EXPECT_EQ(columns(5), (Columns{"APP-5", std::nullopt, false}));
  store::CaseFilter due;
  due.timer_before = *model::parse_date("2024-06-15");
  ASSERT_EQ(repo->list_cases(due).size(), 1u);
  EXPECT_EQ(repo->list_cases(due).front().id, 1);
}

// 009 adds the list orders' columns, back-filled from the stored ones: due_key from next_due
// ('9999-12-31' without one), payable_fen from the decision, approved_fen and allocated_fen; the
// amount order reads consumed_fen for a paid case.
TEST_P(MigrationTest, OrderColumnsAreBackfilledFromTheStoredColumns) {
  if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
  TestDatabase db(GetParam());
  const Backend backend = backend_of(GetParam());
  db.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const auto& m : soci_store::detail::migration_sources()) {
    if (m.version > 8) break;
    for (const auto& stmt : soci_store::detail::migration_statements(m, backend)) db.exec(stmt);
    db.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + m.name + "', '2024-01-01T00:00:00Z')");
  }
  auto add = [&](int id, const std::string& next_due, const std::string& outcome, const std::string& amount,
                 const std::string& approved, const std::string& allocated, int consumed) {
    db.exec("INSERT INTO cases (id, application_id, programme, call_year, workflow, workflow_version, stages, roles, "
            "state_json, deadlines, next_due, decision_outcome, decision_amount_fen, approved_fen, allocated_fen, consumed_fen, "
            "version, event_head, created_at, updated_at) VALUES (" + std::to_string(id) + ", 'APP-" + std::to_string(id) +
            "', 'R14', 2024, 'formula', 1, '|county_review|', '|市科技局|', '', '" + (next_due == "NULL" ? std::string() : next_due + " county_review\n") + "', " +
            (next_due == "NULL" ? next_due : "'" + next_due + "'") + ", " + (outcome == "NULL" ? outcome : "'" + outcome + "'") + ", " +
            amount + ", " + approved + ", " + allocated + ", " + std::to_string(consumed) + ", 1, 'h', 'x', 'x')");
  };
  add(1, "2024-06-10", "eligible", "500000", "300000", "NULL", 0);  // approved below the decision
  add(2, "NULL", "refused", "0", "NULL", "NULL", 0);
  add(3, "2024-06-05", "eligible", "200000", "NULL", "100000", 0);  // cut by an allocation
  add(4, "NULL", "eligible", "400000", "NULL", "NULL", 0);
  add(5, "2024-06-10", "NULL", "NULL", "NULL", "NULL", 0);          // not decided
  db.exec("UPDATE cases SET consumed_fen = 250000 WHERE id = 4");   // paid
  db.exec("UPDATE cases SET decision_as_of = '2024-05-01', decision_json = '{}', decision_ruleset_hash = 'h' "
          "WHERE decision_outcome IS NOT NULL");
  const auto report = soci_store::migrate(db.url());
  EXPECT_EQ(report.from, 8);
  EXPECT_EQ(report.to, soci_store::latest_schema_version());
  auto repo = soci_store::open_repository(db.url());
  auto ids = [&](store::CaseOrder order, bool descending) {
    store::CaseFilter f;
    f.order = order;
    f.descending = descending;
    f.limit = 2;  // paged: the keyset runs over the back-filled columns
    std::vector<store::CaseId> out;
    for (;;) {
      auto page = repo->list_cases(f);
      for (const auto& c : page) out.push_back(c.id);
      if (page.size() < f.limit) return out;
      f.after = store::CaseCursor{store::order_key(page.back(), order), page.back().id};
    }
  };
  using V = std::vector<store::CaseId>;
  EXPECT_EQ(ids(store::CaseOrder::due, false), (V{3, 1, 5, 2, 4}));
  EXPECT_EQ(ids(store::CaseOrder::amount, true), (V{1, 4, 3, 5, 2}));
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::ValuesIn(kSqlKinds), param_name);

}  // namespace
}  // namespace subsidy::testing
