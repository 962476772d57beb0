#pragma once
// The typed errors of the application layer. A use case fails with a ServiceError of a stable kind
// and code; only the callers map them — cli/ to exit codes (docs/integration.md §6), the HTTP
// adapter to status codes. Storage failures stay store::StoreError; kind_of() gives their kind.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "store/errors.hpp"

namespace subsidy::service {

enum class ErrorKind : std::uint8_t {
  usage,      // the request itself is wrong: an unknown programme, an impossible year, no actor
  input,      // the applicant's facts (or another document) cannot be read or decoded
  rules,      // the rules cannot serve the request (no workflow for a programme, no calendar)
  refused,    // the workflow or the budget refuses the step (code: the refusal kind)
  conflict,   // the case changed since it was read; a duplicate application
  not_found,  // no such case or budget
  database,   // the database is unavailable, locked, corrupt or of another schema version
  internal,   // stored data this binary cannot read, or a bug
};
// "usage", "input", … (stable; the `kind` of a JSON error object).
const char* error_kind_name(ErrorKind k);

using Details = std::vector<std::pair<std::string, std::string>>;

class ServiceError : public std::runtime_error {
 public:
  // `code` is stable and machine-readable ("budget_exceeded", "wrong_role", "unknown_programme"…);
  // `message` is for people; `details` are named values (case id, amounts, the stage…).
  ServiceError(ErrorKind kind, std::string code, const std::string& message, Details details = {})
      : std::runtime_error(message), kind_(kind), code_(std::move(code)), details_(std::move(details)) {}
  ErrorKind kind() const noexcept { return kind_; }
  const std::string& code() const noexcept { return code_; }
  const Details& details() const noexcept { return details_; }

 private:
  ErrorKind kind_;
  std::string code_;
  Details details_;
};

// The service kind of a storage error: conflict/duplicate → conflict, unavailable/schema/corrupt →
// database, budget_exceeded → refused, not_found → not_found, backend → internal.
ErrorKind kind_of(const store::StoreError& e);
// The same error as a ServiceError for callers that report both alike (the CLI, the HTTP service):
// kind_of(e), the storage code ("conflict", "budget_exceeded", …), a conflict's message telling the
// user to reload and retry, and the details of a budget refusal or a duplicate application.
ServiceError to_service_error(const store::StoreError& e);

}  // namespace subsidy::service
