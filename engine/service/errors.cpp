#include "service/errors.hpp"

namespace subsidy::service {

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::input: return "input";
    case ErrorKind::rules: return "rules";
    case ErrorKind::refused: return "refused";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::database: return "database";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

ErrorKind kind_of(const store::StoreError& e) {
  switch (e.kind()) {
    case store::ErrorKind::conflict:
    case store::ErrorKind::duplicate_application: return ErrorKind::conflict;
    case store::ErrorKind::unavailable:
    case store::ErrorKind::schema_too_new:
    case store::ErrorKind::schema_too_old:
    case store::ErrorKind::corrupt: return ErrorKind::database;
    case store::ErrorKind::budget_exceeded: return ErrorKind::refused;
    case store::ErrorKind::not_found: return ErrorKind::not_found;
    case store::ErrorKind::backend: return ErrorKind::internal;
  }
  return ErrorKind::internal;
}

ServiceError to_service_error(const store::StoreError& e) {
  std::string message = e.what();
  Details details;
  if (e.kind() == store::ErrorKind::conflict)
    message = std::string("the case changed since you read it; reload and retry (") + e.what() + ")";
  if (const auto* b = dynamic_cast<const store::BudgetExceededError*>(&e))
    details = {{"programme", b->programme()},
               {"year", std::to_string(b->year())},
               {"requested_fen", std::to_string(b->requested())},
               {"available_fen", std::to_string(b->available())}};
  if (const auto* d = dynamic_cast<const store::DuplicateApplicationError*>(&e)) {
    details = {{"application_id", d->application_id()}};
    if (d->existing_case()) details.emplace_back("case", std::to_string(d->existing_case()));
  }
  return ServiceError(kind_of(e), store::error_kind_name(e.kind()), message, std::move(details));
}

}  // namespace subsidy::service
