// SQLite specifics: opening a file with the settings the guarantees in docs/storage.md rely on,
// and classifying SQLite result codes.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>

#include "soci/connection.hpp"

namespace subsidy::soci_store::detail::sqlite {

std::unique_ptr<soci::session> open(const std::string& path, const OpenOptions& options) {
  // SOCI's sqlite3 connect string is `key=value` pairs; quote the path when it has spaces.
  std::string connect = "db=";
  connect += path.find(' ') == std::string::npos ? path : "\"" + path + "\"";
  auto sql = std::make_unique<soci::session>(soci::sqlite3, connect);
  // Wait for other processes' locks (instead of failing at once), enforce foreign keys, and use
  // WAL (readers never block the writer). synchronous=FULL: a committed transaction survives a
  // power cut, not only a process crash.
  *sql << "PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count());
  *sql << "PRAGMA foreign_keys = ON";
  // Switching a fresh file to WAL takes an exclusive lock, and SQLite reports SQLITE_BUSY at once
  // (without the busy handler) when another process opening the same new file holds a shared lock:
  // retry within the busy timeout.
  std::string mode;
  const auto give_up = std::chrono::steady_clock::now() + options.busy_timeout;
  for (;;) {
    try {
      *sql << "PRAGMA journal_mode = WAL", soci::into(mode);
      break;
    } catch (const soci::sqlite3_soci_error& e) {
      int code = e.result() & 0xFF;
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= give_up) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  *sql << "PRAGMA synchronous = FULL";
  return sql;
}

store::ErrorKind classify(const soci::soci_error& e) {
  int code = SQLITE_ERROR;
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) code = s->result();
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
      return store::ErrorKind::unavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return store::ErrorKind::corrupt;
    case SQLITE_CONSTRAINT: {
      // A unique key written concurrently (other constraint failures are engine bugs). SOCI reports
      // the primary result code, so the message tells which constraint failed.
      const std::string message = e.get_error_message();
      if (message.find("UNIQUE constraint failed") != std::string::npos) return store::ErrorKind::conflict;
      return store::ErrorKind::backend;
    }
    default: break;
  }
  // Older SOCI versions do not always carry the result code.
  const std::string message = e.get_error_message();
  if (message.find("database is locked") != std::string::npos) return store::ErrorKind::unavailable;
  if (message.find("file is not a database") != std::string::npos) return store::ErrorKind::corrupt;
  return store::ErrorKind::backend;
}

}  // namespace subsidy::soci_store::detail::sqlite
