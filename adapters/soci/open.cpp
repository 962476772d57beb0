// The adapter's entry points: open a repository, migrate, read the schema version, the chain hash.
#include <soci/soci.h>

#include <memory>

#include "soci/connection.hpp"
#include "soci/migrations.hpp"
#include "soci/soci_repository.hpp"
#include "soci/soci_store.hpp"

namespace subsidy::soci_store {

namespace {

// settings.audit_hash (migration 010), nullopt when the row is absent. CorruptError for a value
// this binary does not know.
std::optional<store::HashAlgorithm> stored_audit_hash(detail::Connection& c) {
  std::string value;
  soci::indicator ind = soci::i_null;
  *c.sql << "SELECT value FROM settings WHERE name = 'audit_hash'", soci::into(value, ind);
  if (!c.sql->got_data() || ind != soci::i_ok) return std::nullopt;
  const auto a = store::parse_hash_algorithm(value);
  if (!a) throw store::CorruptError("settings.audit_hash of " + c.display + " is `" + value + "`, not sha256 or sm3");
  return a;
}

}  // namespace

std::unique_ptr<store::CaseRepository> open_repository(const std::string& url, const OpenOptions& options) {
  detail::Connection c = detail::connect(url, options);
  detail::check_schema(c, options);
  try {
    c.hash = stored_audit_hash(c).value_or(store::HashAlgorithm::sha256);
  } catch (const store::StoreError&) {
    throw;
  } catch (...) {
    detail::rethrow_translated(c, "cannot read settings.audit_hash");
  }
  return std::make_unique<detail::SociRepository>(std::move(c), options.clock);
}

store::HashAlgorithm choose_audit_hash(const std::string& url, store::HashAlgorithm hash, const OpenOptions& options) {
  detail::Connection c = detail::connect(url, options);
  detail::check_schema(c, options);
  bool open = false;
  try {
    *c.sql << c.sql_dialect().begin_write;
    open = true;
    const auto stored = stored_audit_hash(c);
    const store::HashAlgorithm now = stored.value_or(store::HashAlgorithm::sha256);
    if (stored && *stored == hash) {
      *c.sql << "COMMIT";
      return hash;
    }
    if (now != hash) {
      long long events = 0, budget_events = 0;
      *c.sql << "SELECT COUNT(*) FROM events", soci::into(events);
      *c.sql << "SELECT COUNT(*) FROM budget_events", soci::into(budget_events);
      if (events + budget_events > 0) {
        throw store::ConflictError("database " + c.display + " already holds " + std::to_string(events) + " case events and " +
                                   std::to_string(budget_events) + " budget events chained with " +
                                   store::hash_algorithm_name(now) + ": its hash cannot become " +
                                   store::hash_algorithm_name(hash) + " (choose it for a new database, before its first event)");
      }
    }
    std::string value = store::hash_algorithm_name(hash);
    if (stored) {
      *c.sql << "UPDATE settings SET value = :v WHERE name = 'audit_hash'", soci::use(value);
    } else {
      *c.sql << "INSERT INTO settings (name, value) VALUES ('audit_hash', :v)", soci::use(value);
    }
    *c.sql << "COMMIT";
    return hash;
  } catch (...) {
    if (open) {
      try {
        *c.sql << "ROLLBACK";
      } catch (...) {
      }
    }
    try {
      throw;
    } catch (const store::StoreError&) {
      throw;
    } catch (...) {
      detail::rethrow_translated(c, "cannot record the audit hash");
    }
  }
}

MigrationReport migrate(const std::string& url, const OpenOptions& options) {
  detail::Connection c = detail::connect(url, options);
  return detail::apply_migrations(c, options);
}

int schema_version(const std::string& url, const OpenOptions& options) {
  detail::Connection c = detail::connect(url, options);
  return detail::read_schema_version(c);
}

}  // namespace subsidy::soci_store
