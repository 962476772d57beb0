// Database URLs and failure behaviour: what happens when the database is unreachable, locked or
// not a database at all.
#include <gtest/gtest.h>

#include <fstream>

#include "soci/migrations.hpp"
#include "test_database.hpp"

namespace subsidy::testing {
namespace {

using soci_store::Backend;

TEST(DatabaseUrl, ChoosesTheBackend) {
  EXPECT_EQ(soci_store::parse_database_url("subsidy.db").backend, Backend::sqlite);
  EXPECT_EQ(soci_store::parse_database_url("subsidy.db").target, "subsidy.db");
  EXPECT_EQ(soci_store::parse_database_url("sqlite:/var/lib/subsidy/cases.db").target, "/var/lib/subsidy/cases.db");
  EXPECT_EQ(soci_store::parse_database_url("sqlite:///tmp/x.db").target, "/tmp/x.db");
  const auto pg = soci_store::parse_database_url("postgresql://u:p@db.example/subsidy");
  EXPECT_EQ(pg.backend, Backend::postgresql);
  EXPECT_EQ(pg.target, "postgresql://u:p@db.example/subsidy");
  EXPECT_EQ(soci_store::parse_database_url("postgres://db/x").backend, Backend::postgresql);
  EXPECT_THROW(soci_store::parse_database_url("mysql://db/x"), store::UnavailableError);
  EXPECT_THROW(soci_store::parse_database_url(""), store::UnavailableError);
  EXPECT_THROW(soci_store::parse_database_url("sqlite:"), store::UnavailableError);
}

TEST(DatabaseUrl, RedactsPasswords) {
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
  ASSERT_EQ(sqlite.size(), pg.size());
  EXPECT_NE(sqlite.front().find("INTEGER PRIMARY KEY AUTOINCREMENT"), std::string::npos);
  EXPECT_NE(pg.front().find("BIGSERIAL PRIMARY KEY"), std::string::npos);
  for (const auto& s : sqlite) {
    EXPECT_EQ(s.find("--"), std::string::npos) << s;
    EXPECT_EQ(s.find(';'), std::string::npos) << s;
  }
}

// 002 replaces 001's amount_fen by the case's own reservation: where a budget exists, a paid case
// consumed it and any other case holds it; without a budget it was never a reservation.
class MigrationTest : public ::testing::TestWithParam<Kind> {};

TEST_P(MigrationTest, ReservationsAreCarriedOverFromAmountFen) {
  if (GetParam() == Kind::postgresql && pg_base_url() == nullptr) GTEST_SKIP() << kPgSkip;
  TestDatabase db(GetParam());
  const Backend backend = GetParam() == Kind::sqlite ? Backend::sqlite : Backend::postgresql;
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
  if (GetParam() == Kind::postgresql && pg_base_url() == nullptr) GTEST_SKIP() << kPgSkip;
  TestDatabase db(GetParam());
  const Backend backend = GetParam() == Kind::sqlite ? Backend::sqlite : Backend::postgresql;
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

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }
INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::Values(Kind::sqlite, Kind::postgresql), param_name);

}  // namespace
}  // namespace subsidy::testing
