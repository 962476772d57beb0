// The adapter's entry points: open a repository, migrate, read the schema version.
#include <memory>

#include "soci/connection.hpp"
#include "soci/migrations.hpp"
#include "soci/soci_repository.hpp"
#include "soci/soci_store.hpp"

namespace subsidy::soci_store {

std::unique_ptr<store::CaseRepository> open_repository(const std::string& url, const OpenOptions& options) {
  detail::Connection c = detail::connect(url, options);
  detail::check_schema(c, options);
  return std::make_unique<detail::SociRepository>(std::move(c), options.clock);
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
