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
  holder->set_budget("RD_POST", 2024, 1);
  try {
    waiter->set_budget("RD_POST", 2024, 2);
    FAIL() << "expected UnavailableError";
  } catch (const store::UnavailableError& e) {
    EXPECT_NE(std::string(e.what()).find("locked"), std::string::npos) << e.what();
  }
  EXPECT_EQ(waiter->load_case(id).application_id, "A");  // WAL: readers are not blocked
  holder->commit();
  EXPECT_EQ(waiter->set_budget("RD_POST", 2024, 2).total_fen, 2);  // and the writer gets through afterwards
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

}  // namespace
}  // namespace subsidy::testing
