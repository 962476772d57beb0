#pragma once
// Typed storage errors. Every repository failure the caller can act on is a StoreError with a
// stable kind, so the CLI can map kinds to documented exit codes (docs/storage.md). Domain
// problems (a refused programme) are never errors here; engine bugs (a negative amount) are
// std::invalid_argument / std::logic_error.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "model/money.hpp"

namespace subsidy::store {

using CaseId = std::int64_t;

enum class ErrorKind : std::uint8_t {
  unavailable,            // the database cannot be reached, opened or is locked (busy timeout)
  conflict,               // the stored state changed since it was read (optimistic lock, reservation gone)
  duplicate_application,  // a case with this application id already exists
  not_found,              // no such case / budget
  budget_exceeded,        // a reservation would exceed the budget's total
  schema_too_new,         // the database schema is newer than this binary knows
  schema_too_old,         // the database needs `subsidy db migrate` first
  corrupt,                // the database file or stored data is damaged
  backend,                // any other database error (the backend's message is kept)
};

// "unavailable", "conflict", … (stable; used in JSON error output).
const char* error_kind_name(ErrorKind k);

class StoreError : public std::runtime_error {
 public:
  StoreError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

class UnavailableError : public StoreError {
 public:
  explicit UnavailableError(const std::string& message) : StoreError(ErrorKind::unavailable, message) {}
};

class ConflictError : public StoreError {
 public:
  explicit ConflictError(const std::string& message) : StoreError(ErrorKind::conflict, message) {}
};

class DuplicateApplicationError : public StoreError {
 public:
  DuplicateApplicationError(std::string application_id, CaseId existing);
  const std::string& application_id() const noexcept { return application_id_; }
  CaseId existing_case() const noexcept { return existing_; }  // 0 when unknown

 private:
  std::string application_id_;
  CaseId existing_;
};

class NotFoundError : public StoreError {
 public:
  explicit NotFoundError(const std::string& message) : StoreError(ErrorKind::not_found, message) {}
};

class BudgetExceededError : public StoreError {
 public:
  BudgetExceededError(std::string programme, int year, model::Fen requested, model::Fen available);
  // With a message of the caller's (set_budget below what is committed: requested = committed,
  // available = the proposed total).
  BudgetExceededError(std::string programme, int year, model::Fen requested, model::Fen available,
                      const std::string& message);
  const std::string& programme() const noexcept { return programme_; }
  int year() const noexcept { return year_; }
  model::Fen requested() const noexcept { return requested_; }
  model::Fen available() const noexcept { return available_; }  // total − reserved − consumed

 private:
  std::string programme_;
  int year_;
  model::Fen requested_, available_;
};

class SchemaVersionError : public StoreError {
 public:
  SchemaVersionError(ErrorKind kind, int database_version, int known_version);
  int database_version() const noexcept { return database_; }
  int known_version() const noexcept { return known_; }

 private:
  int database_, known_;
};

class SchemaTooNewError : public SchemaVersionError {
 public:
  SchemaTooNewError(int database_version, int known_version)
      : SchemaVersionError(ErrorKind::schema_too_new, database_version, known_version) {}
};

class SchemaTooOldError : public SchemaVersionError {
 public:
  SchemaTooOldError(int database_version, int known_version)
      : SchemaVersionError(ErrorKind::schema_too_old, database_version, known_version) {}
};

class CorruptError : public StoreError {
 public:
  explicit CorruptError(const std::string& message) : StoreError(ErrorKind::corrupt, message) {}
};

class BackendError : public StoreError {
 public:
  explicit BackendError(const std::string& message) : StoreError(ErrorKind::backend, message) {}
};

}  // namespace subsidy::store
