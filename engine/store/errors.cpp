#include "store/errors.hpp"

#include <utility>

namespace subsidy::store {

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::duplicate_application: return "duplicate_application";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::budget_exceeded: return "budget_exceeded";
    case ErrorKind::schema_too_new: return "schema_too_new";
    case ErrorKind::schema_too_old: return "schema_too_old";
    case ErrorKind::corrupt: return "corrupt";
    case ErrorKind::backend: return "backend";
  }
  return "backend";
}

DuplicateApplicationError::DuplicateApplicationError(std::string application_id, CaseId existing)
    : StoreError(ErrorKind::duplicate_application,
                 "application '" + application_id + "' already has a case" +
                     (existing > 0 ? " (case " + std::to_string(existing) + ")" : std::string())),
      application_id_(std::move(application_id)),
      existing_(existing) {}

BudgetExceededError::BudgetExceededError(std::string programme, int year, model::Fen requested,
                                         model::Fen available)
    : StoreError(ErrorKind::budget_exceeded,
                 "budget " + programme + "/" + std::to_string(year) + " cannot reserve " +
                     model::format_yuan(requested) + " yuan: only " + model::format_yuan(available) +
                     " yuan available"),
      programme_(std::move(programme)),
      year_(year),
      requested_(requested),
      available_(available) {}

BudgetExceededError::BudgetExceededError(std::string programme, int year, model::Fen requested,
                                         model::Fen available, const std::string& message)
    : StoreError(ErrorKind::budget_exceeded, message),
      programme_(std::move(programme)),
      year_(year),
      requested_(requested),
      available_(available) {}

SchemaVersionError::SchemaVersionError(ErrorKind kind, int database_version, int known_version)
    : StoreError(kind,
                 kind == ErrorKind::schema_too_new
                     ? "database schema version " + std::to_string(database_version) +
                           " is newer than this binary knows (" + std::to_string(known_version) +
                           "); upgrade subsidy"
                     : "database schema version " + std::to_string(database_version) +
                           " is older than this binary needs (" + std::to_string(known_version) +
                           "); run `subsidy db migrate` (after a backup)"),
      database_(database_version),
      known_(known_version) {}

}  // namespace subsidy::store
