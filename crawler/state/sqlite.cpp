#include "crawler/state/sqlite.hpp"

namespace acrawl::crawler {

SqliteDb::SqliteDb(const std::string& path, int flags) : path_(path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StateError("cannot open state " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another connection of this process (the writer) may hold the write lock for a moment.
  sqlite3_busy_timeout(db_, 5000);
}

SqliteDb::~SqliteDb() {
  sqlite3_close_v2(db_);
}

void SqliteDb::fail(int code, std::string_view what) const {
  std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  if ((code & 0xff) == SQLITE_FULL) msg += " (the disk is full)";
  throw StateError("state " + path_ + ": " + std::string(what) + ": " + msg);
}

void SqliteDb::exec(const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, what);
}

SqliteStmt SqliteDb::prepare(const char* sql) {
  return SqliteStmt(*this, sql);
}

SqliteStmt::SqliteStmt(SqliteDb& db, const char* sql) : db_(&db) {
  const int rc =
      sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "cannot read it");
}

SqliteStmt::~SqliteStmt() {
  sqlite3_finalize(stmt_);
}

void SqliteStmt::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
}
void SqliteStmt::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
}
void SqliteStmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void SqliteStmt::bind(int i, const std::optional<std::string>& v) {
  if (v) {
    bind(i, std::string_view(*v));
  } else {
    bind_null(i);
  }
}
void SqliteStmt::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
}

bool SqliteStmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  db_->fail(rc, "cannot use it");
}

void SqliteStmt::run() {
  while (step()) {
  }
  reset();
}

void SqliteStmt::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStmt::is_null(int col) const noexcept {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t SqliteStmt::int64(int col) const noexcept {
  return sqlite3_column_int64(stmt_, col);
}
double SqliteStmt::real(int col) const noexcept {
  return sqlite3_column_double(stmt_, col);
}
std::string SqliteStmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

}  // namespace acrawl::crawler
