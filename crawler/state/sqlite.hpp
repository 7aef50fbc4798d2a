#pragma once
// Thin RAII over SQLite's C API: a connection and its prepared statements. Every failure throws
// StateError naming what was being done and SQLite's own message.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/config.hpp"

namespace acrawl::crawler {

class SqliteStmt;

class SqliteDb {
 public:
  // Opens path (flags: SQLITE_OPEN_*). Throws StateError.
  SqliteDb(const std::string& path, int flags);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs statements that return no rows. Throws StateError (what: what was being done).
  void exec(const char* sql, std::string_view what);
  SqliteStmt prepare(const char* sql);
  // StateError for a failed call: "what: SQLite's message".
  [[noreturn]] void fail(int code, std::string_view what) const;
  sqlite3* handle() noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class SqliteStmt {
 public:
  SqliteStmt(SqliteDb& db, const char* sql);
  ~SqliteStmt();
  SqliteStmt(SqliteStmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  SqliteStmt& operator=(SqliteStmt&&) = delete;

  // Parameters count from 1. Text is copied (SQLITE_TRANSIENT is not needed: the statement
  // runs before the caller's string goes).
  void bind(int i, std::int64_t v);
  void bind(int i, double v);
  void bind(int i, std::string_view v);
  void bind(int i, const std::optional<std::string>& v);
  void bind_null(int i);
  // True while there is a row; false when done. Throws StateError.
  bool step();
  // Runs a statement that returns no rows, then resets it.
  void run();
  void reset() noexcept;

  bool is_null(int col) const noexcept;
  std::int64_t int64(int col) const noexcept;
  double real(int col) const noexcept;
  std::string text(int col) const;

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace acrawl::crawler
