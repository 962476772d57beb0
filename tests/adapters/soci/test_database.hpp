#pragma once
// Test support: a fresh, isolated database per test on each backend.
//   memory     — an InMemoryDatabase shared by every repository the test opens
//   sqlite     — a temporary file in `dir` (removed afterwards, with its -wal/-shm files)
//   postgresql — a schema of its own (t_<pid>_<n>) in the database named by $SUBSIDY_TEST_PG,
//                selected through the URL's search_path option, so tests may run in parallel;
//                the test is skipped when SUBSIDY_TEST_PG is not set.
//   mariadb    — a database of its own (<DB>_<pid>_<n>, created and dropped by the test) on the
//                server named by $SUBSIDY_TEST_MARIADB (mysql://USER:PASSWORD@HOST:PORT/DB, whose
//                user may create databases named DB_…); skipped when SUBSIDY_TEST_MARIADB is not set.
//   odbc       — the same on MariaDB, reached through its ODBC driver (odbc:mysql:DRIVER={…};…; the
//                driver is $SUBSIDY_TEST_ODBC_DRIVER, default "MariaDB Unicode", Debian's odbc-mariadb).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <regex>
#include <stdexcept>
#include <string>

#include "soci/connection.hpp"
#include "soci/soci_store.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::testing {

enum class Kind { memory, sqlite, postgresql, mariadb, odbc };

// The backends a suite instantiates over: every one, or only the SQL databases.
inline constexpr Kind kAllKinds[] = {Kind::memory, Kind::sqlite, Kind::postgresql, Kind::mariadb, Kind::odbc};
inline constexpr Kind kSqlKinds[] = {Kind::sqlite, Kind::postgresql, Kind::mariadb, Kind::odbc};

inline const char* kind_name(Kind k) {
  switch (k) {
    case Kind::memory: return "memory";
    case Kind::sqlite: return "sqlite";
    case Kind::postgresql: return "postgresql";
    case Kind::mariadb: return "mariadb";
    case Kind::odbc: return "odbc";
  }
  return "?";
}

inline soci_store::Backend backend_of(Kind k) {
  switch (k) {
    case Kind::postgresql: return soci_store::Backend::postgresql;
    case Kind::mariadb:
    case Kind::odbc: return soci_store::Backend::mysql;
    default: return soci_store::Backend::sqlite;
  }
}

// So test names read ".../sqlite  # GetParam() = sqlite".
inline void PrintTo(Kind k, std::ostream* os) { *os << kind_name(k); }

inline const char* pg_base_url() {
  const char* url = std::getenv("SUBSIDY_TEST_PG");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

inline constexpr const char* kPgSkip =
    "PostgreSQL tests need SUBSIDY_TEST_PG=postgresql://… (scripts/start-postgres.sh starts a server and prints one)";

inline const char* mariadb_base_url() {
  const char* url = std::getenv("SUBSIDY_TEST_MARIADB");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

inline constexpr const char* kMariadbSkip =
    "MariaDB tests need SUBSIDY_TEST_MARIADB=mysql://… (scripts/start-mariadb.sh starts a server and prints one)";

// Why a test on `k` cannot run here (its server is not configured), or nullptr:
//   if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
inline const char* skip_reason(Kind k) {
  if (k == Kind::postgresql && pg_base_url() == nullptr) return kPgSkip;
  if ((k == Kind::mariadb || k == Kind::odbc) && mariadb_base_url() == nullptr) return kMariadbSkip;
  return nullptr;
}

// The ODBC connection URL of the MariaDB server of `url` (mysql://USER:PASSWORD@HOST:PORT/…) and database `db`.
inline std::string odbc_url(const std::string& url, const std::string& db) {
  static const std::regex parts(R"(^(mysql|mariadb)://([^:@/]*)(:([^@/]*))?@([^:/?]*)(:([0-9]+))?/.*)");
  std::smatch m;
  if (!std::regex_match(url, m, parts)) throw std::invalid_argument("SUBSIDY_TEST_MARIADB is not mysql://USER:PASSWORD@HOST:PORT/DB");
  const char* driver = std::getenv("SUBSIDY_TEST_ODBC_DRIVER");
  return "odbc:mysql:DRIVER={" + std::string(driver != nullptr && *driver != '\0' ? driver : "MariaDB Unicode") +
         "};SERVER=" + m[5].str() + ";PORT=" + (m[7].matched ? m[7].str() : "3306") + ";DATABASE=" + db +
         ";UID=" + m[2].str() + ";PWD=" + m[4].str();
}

// `url` (mysql://…/DB?…) naming the database `db` instead.
inline std::string with_database(const std::string& url, const std::string& db) {
  const auto authority = url.find("://") + 3;
  const auto slash = url.find('/', authority);
  const auto query = url.find('?', authority);
  return url.substr(0, slash) + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

// Timestamps that increase by one second per call, so updated_at changes are visible.
inline store::Clock counting_clock() {
  auto n = std::make_shared<std::atomic<int>>(0);
  return [n] {
    const int s = (*n)++;
    char buf[32];
    std::snprintf(buf, sizeof buf, "2024-05-01T%02d:%02d:%02dZ", (s / 3600) % 24, (s / 60) % 60, s % 60);
    return std::string(buf);
  };
}

class TestDatabase {
 public:
  // `dir`: where a SQLite file goes (tests that commit thousands of times may use the tmpfs /dev/shm).
  explicit TestDatabase(Kind kind, const std::string& dir = "/tmp") : kind_(kind) {
    static std::atomic<int> counter{0};
    const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
    switch (kind) {
      case Kind::memory: memory_ = std::make_shared<store::InMemoryDatabase>(); break;
      case Kind::sqlite: path_ = dir + "/subsidy_test_" + tag + ".db"; url_ = "sqlite:" + path_; break;
      case Kind::postgresql: {
        schema_ = "t_" + tag;
        base_ = pg_base_url();
        exec_base("CREATE SCHEMA " + schema_);
        url_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema_;
        break;
      }
      case Kind::mariadb:
      case Kind::odbc: {
        base_ = mariadb_base_url();
        const auto slash = base_.find('/', base_.find("://") + 3);
        schema_ = base_.substr(slash + 1, base_.find('?', slash) - slash - 1) + "_" + tag;
        exec_base("CREATE DATABASE " + schema_);
        url_ = kind == Kind::odbc ? odbc_url(base_, schema_) : with_database(base_, schema_);
        break;
      }
    }
  }
  ~TestDatabase() {
    if (kind_ == Kind::sqlite) {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
    }
    try {
      if (kind_ == Kind::postgresql) exec_base("DROP SCHEMA " + schema_ + " CASCADE");
      if (kind_ == Kind::mariadb || kind_ == Kind::odbc) exec_base("DROP DATABASE " + schema_);
    } catch (...) {
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Kind kind() const { return kind_; }
  const std::string& url() const { return url_; }
  const std::string& path() const { return path_; }

  // Another repository on the same database (migrating a server's schema the first time).
  std::unique_ptr<store::CaseRepository> open(soci_store::OpenOptions options = {}) {
    if (kind_ == Kind::memory) {
      return std::make_unique<store::InMemoryRepository>(memory_, options.clock);
    }
    if (kind_ != Kind::sqlite && !migrated_) {
      soci_store::migrate(url_);
      migrated_ = true;
    }
    return soci_store::open_repository(url_, options);
  }

  // Raw SQL around the repository (tamper tests).
  void exec(const std::string& sql) {
    auto c = soci_store::detail::connect(url_, {});
    *c.sql << sql;
  }

 private:
  void exec_base(const std::string& sql) {
    auto c = soci_store::detail::connect(base_, {});
    *c.sql << sql;
  }

  Kind kind_;
  std::shared_ptr<store::InMemoryDatabase> memory_;
  std::string path_, url_, base_, schema_;
  bool migrated_ = false;
};

// A case of R14/2024 at city review, and empty submitted facts: for tests of the chains and the
// ledger, which look at neither.
inline store::Case chain_case(const std::string& app) {
  store::Case c;
  c.application_id = app;
  c.programme = "R14";
  c.call_year = 2024;
  c.workflow = "formula";
  c.workflow_version = 1;
  c.stages = {"city_review"};
  c.roles = {"市科技局"};
  return c;
}

inline store::FactsVersion empty_facts() {
  store::FactsVersion f;
  f.facts_json = "{}";
  return f;
}

}  // namespace subsidy::testing
