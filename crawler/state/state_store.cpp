#include "crawler/state/state_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_set>

#include "crawler/output/sink.hpp"

namespace acrawl::crawler {

namespace {

constexpr std::int64_t kApplicationId = 0x61637277;  // "acrw"
constexpr std::int64_t kSchemaVersion = 1;

const char* const kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE frontier(
  id INTEGER PRIMARY KEY,
  fp INTEGER,
  depth INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER);
CREATE TABLE queue(id INTEGER PRIMARY KEY, url TEXT NOT NULL, input TEXT);
CREATE TABLE in_flight(url_id INTEGER PRIMARY KEY, attempt INTEGER NOT NULL,
                       started INTEGER NOT NULL);
CREATE TABLE records(
  url_id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  final_url TEXT,
  status INTEGER,
  error TEXT,
  title TEXT,
  content_type TEXT,
  bytes INTEGER NOT NULL,
  elapsed_ms REAL NOT NULL,
  redirects INTEGER NOT NULL,
  encoding TEXT,
  encoding_source TEXT,
  location TEXT,
  depth INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  fetched INTEGER NOT NULL,
  links INTEGER);
CREATE TABLE robots(origin TEXT PRIMARY KEY, host TEXT NOT NULL, rules TEXT NOT NULL,
                    fetched INTEGER NOT NULL);
CREATE TABLE hosts(host TEXT PRIMARY KEY, paused_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE links(url_id INTEGER NOT NULL, pos INTEGER NOT NULL, url TEXT NOT NULL,
                   PRIMARY KEY(url_id, pos)) WITHOUT ROWID;
)sql";

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t pragma_int(SqliteDb& db, const char* sql) {
  SqliteStmt s(db, sql);
  return s.step() ? s.int64(0) : 0;
}

std::optional<std::string> nonempty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::string afresh(const std::string& path) {
  return "; to start afresh, remove " + path +
         " (and its -wal and -shm files) or pass another --state";
}

}  // namespace

void StateOps::append(StateOps&& other) {
  auto move_all = [](auto& to, auto& from) {
    if (to.empty()) {
      to = std::move(from);
    } else {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    }
    from.clear();
  };
  move_all(urls, other.urls);
  move_all(claims, other.claims);
  move_all(retries, other.retries);
  move_all(done, other.done);
  move_all(robots, other.robots);
  move_all(pauses, other.pauses);
  if (other.input) input = other.input;
}

StateStore::StateStore(const std::string& path, const CrawlDefinition& definition,
                       StoredOutput output)
    : path_(path), output_(std::move(output)) {
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
  if (lock_fd_ < 0) {
    const int err = errno;
    if (err == EACCES || err == EROFS || err == EPERM) {
      throw StateError("state " + path + " is read-only (" + std::strerror(err) +
                       "): acrawl must write it");
    }
    throw StateError("cannot open state " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(lock_fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw StateError("state " + path + " is not a regular file");
  }
  // SQLite's own locks are POSIX record locks: they guard transactions, not the crawl. This one
  // is held for the whole run, so two crawls never interleave their changes.
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (err == EWOULDBLOCK) {
      throw StateError("state " + path +
                       " is in use by another acrawl process: one crawl runs on a state at a "
                       "time (wait for it, or stop it)");
    }
    throw StateError("cannot lock state " + path + ": " + std::strerror(err));
  }
  try {
    db_ = std::make_unique<SqliteDb>(path, SQLITE_OPEN_READWRITE);
    if (sqlite3_db_readonly(db_->handle(), "main") == 1) {
      throw StateError("state " + path + " is read-only: acrawl must write it");
    }
    std::int64_t app = 0;
    try {
      app = pragma_int(*db_, "PRAGMA application_id");
    } catch (const StateError& e) {
      throw StateError("state " + path + " is not an SQLite database (" + e.what() + ")" +
                       afresh(path));
    }
    const std::int64_t version = pragma_int(*db_, "PRAGMA user_version");
    const std::int64_t tables = pragma_int(*db_, "SELECT count(*) FROM sqlite_master");
    if (app == 0 && version == 0 && tables == 0) {
      fresh_ = true;
      create_schema();
    } else if (app != kApplicationId) {
      throw StateError("state " + path + " is an SQLite database but not an acrawl state" +
                       afresh(path));
    } else if (version > kSchemaVersion) {
      throw StateError("state " + path + " was made by a newer acrawl (schema " +
                       std::to_string(version) + "; this one reads schema " +
                       std::to_string(kSchemaVersion) + ")");
    }
    {
      // Readers (the crawl's refill, `acrawl export`, sqlite3) must never wait for the writer.
      SqliteStmt wal(*db_, "PRAGMA journal_mode=WAL");
      if (!wal.step() || wal.text(0) != "wal") {
        throw StateError("state " + path + ": SQLite cannot use WAL mode there (" +
                         (wal.text(0).empty() ? std::string("?") : wal.text(0)) + ")");
      }
    }
    db_->exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16000", "cannot set it up");
    const bool defined = check_definition(definition);
    {
      SqliteStmt meta(
          *db_,
          "SELECT key, value FROM meta WHERE key IN ('input_lines','input_hash','output_bytes')");
      while (meta.step()) {
        const std::string key = meta.text(0);
        const std::int64_t v = meta.int64(1);
        if (key == "input_lines") input_.lines = static_cast<std::uint64_t>(v);
        if (key == "input_hash") input_.hash = static_cast<std::uint64_t>(v);
        if (key == "output_bytes") output_bytes_ = v;
      }
    }
    // Fetches that were under way when the last run ended are queued again.
    db_->exec("DELETE FROM in_flight", "cannot write it");
    open_output();
    // Only now, once -o is known to work: a first run that cannot write it leaves no trace.
    if (!defined) store_definition(definition);
    reader_ = std::make_unique<SqliteDb>(path, SQLITE_OPEN_READONLY);
    sqlite3_busy_timeout(reader_->handle(), 100);  // it runs on the crawl's loop thread
    read_queued_.emplace(*reader_,
                         "SELECT q.id, q.url, q.input, f.depth, f.attempts, f.not_before, f.seed "
                         "FROM queue q JOIN frontier f ON f.id = q.id WHERE q.id > ?1 "
                         "ORDER BY q.id LIMIT ?2");
    committed_id_ = pragma_int(*db_, "SELECT coalesce(max(id), 0) FROM frontier");
  } catch (...) {
    read_queued_.reset();
    reader_.reset();
    db_.reset();
    if (output_fd_ >= 0) ::close(output_fd_);
    ::close(lock_fd_);
    throw;
  }
}

StateStore::~StateStore() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    pending_ = {};
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  stmts_.reset();
  read_queued_.reset();
  reader_.reset();
  db_.reset();
  if (output_fd_ >= 0) ::close(output_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // after SQLite's descriptors: it drops the flock
}

void StateStore::create_schema() {
  db_->exec("BEGIN IMMEDIATE", "cannot write it");
  db_->exec(kSchema, "cannot create it");
  db_->exec(("PRAGMA application_id=" + std::to_string(kApplicationId) +
             "; PRAGMA user_version=" + std::to_string(kSchemaVersion))
                .c_str(),
            "cannot create it");
  db_->exec("COMMIT", "cannot create it");
}

bool StateStore::check_definition(const CrawlDefinition& definition) {
  CrawlDefinition stored;
  {
    SqliteStmt s(*db_, "SELECT key, value FROM meta WHERE key LIKE '--%' ORDER BY key");
    while (s.step()) stored.emplace_back(s.text(0), s.text(1));
  }
  if (stored.empty()) return false;
  std::vector<std::string> diff = definition_differences(stored, definition);
  if (diff.empty()) return true;
  std::string msg = "state " + path_ + " was made by a different crawl:";
  for (const std::string& d : diff) msg += "\n  " + d;
  msg += "\nrun the same command to resume it" + afresh(path_);
  throw StateError(msg);
}

void StateStore::store_definition(const CrawlDefinition& definition) {
  db_->exec("BEGIN IMMEDIATE", "cannot write it");
  SqliteStmt put(*db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
  for (const auto& [name, value] : definition) {
    put.bind(1, std::string_view(name));
    put.bind(2, std::string_view(value));
    put.run();
  }
  db_->exec("COMMIT", "cannot write it");
}

void StateStore::open_output() {
  if (output_.path.empty()) return;
  output_fd_ = ::open(output_.path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
  if (output_fd_ < 0) {
    throw StateError("cannot open output file '" + output_.path + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(output_fd_, &st) != 0) {
    throw StateError("cannot read output file '" + output_.path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw StateError(
        "with --state, -o must be a regular file (a resumed crawl cuts it back to "
        "what the state committed): " +
        output_.path);
  }
  if (st.st_size < output_bytes_) {
    throw StateError("output file '" + output_.path + "' holds " + std::to_string(st.st_size) +
                     " bytes but the state committed " + std::to_string(output_bytes_) +
                     ": it was changed outside acrawl (acrawl export " + path_ +
                     " writes every record again)" + afresh(path_));
  }
  // What a killed run wrote past its last commit: those records come again.
  if (::ftruncate(output_fd_, output_bytes_) != 0) {
    throw StateError("cannot cut back output file '" + output_.path + "': " + std::strerror(errno));
  }
  if (output_bytes_ == 0 && output_.format == OutputFormat::csv) {
    const std::string header = format_header(OutputFormat::csv);
    if (::pwrite(output_fd_, header.data(), header.size(), 0) !=
        static_cast<ssize_t>(header.size())) {
      throw StateError("cannot write output file '" + output_.path + "': " + std::strerror(errno));
    }
    db_->exec(("INSERT OR REPLACE INTO meta(key, value) VALUES('output_bytes', " +
               std::to_string(header.size()) + ")")
                  .c_str(),
              "cannot write it");
    output_bytes_ = static_cast<std::int64_t>(header.size());
  }
}

void StateStore::scan_frontier(
    const std::function<void(std::int64_t id, std::int64_t fp, bool done, int seed)>& fn) {
  SqliteStmt s(*db_, "SELECT id, fp, done, seed FROM frontier");
  while (s.step()) fn(s.int64(0), s.int64(1), s.int64(2) != 0, static_cast<int>(s.int64(3)));
}

std::vector<StateOps::Robots> StateStore::robots(std::size_t limit) {
  std::vector<StateOps::Robots> out;
  SqliteStmt s(*db_, "SELECT origin, host, rules FROM robots ORDER BY fetched DESC LIMIT ?1");
  s.bind(1, static_cast<std::int64_t>(limit));
  while (s.step()) out.push_back(StateOps::Robots{s.text(0), s.text(1), s.text(2)});
  return out;
}

std::vector<StateOps::Pause> StateStore::pauses(std::int64_t now_ms) {
  std::vector<StateOps::Pause> out;
  SqliteStmt s(*db_, "SELECT host, paused_until FROM hosts WHERE paused_until > ?1");
  s.bind(1, now_ms);
  while (s.step()) out.push_back(StateOps::Pause{s.text(0), s.int64(1)});
  return out;
}

std::int64_t StateStore::queued_rows() {
  return pragma_int(*reader_, "SELECT count(*) FROM queue");
}

std::vector<std::string> StateStore::seed_redirects() {
  std::vector<std::string> out;
  SqliteStmt s(*db_, "SELECT location FROM records WHERE depth = 0 AND location IS NOT NULL");
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void StateStore::start(std::function<void()> on_progress) {
  on_progress_ = std::move(on_progress);
  thread_ = std::thread([this] { run(); });
}

void StateStore::rethrow_if_failed() {
  if (!failed_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mutex_);
  std::rethrow_exception(error_);
}

void StateStore::push(StateOps&& ops) {
  if (ops.empty()) return;
  rethrow_if_failed();
  {
    std::lock_guard lock(mutex_);
    const std::size_t n = ops.size();
    try {
      pending_.append(std::move(ops));
    } catch (...) {
      // Part of a group may be in pending_ now: commit nothing more.
      error_ = std::current_exception();
      failed_.store(true, std::memory_order_release);
      pending_ = {};
      throw;
    }
    backlog_ += n;
    ++pushed_;
    // Wake the writer only when it waits for a first change, or when it gathers and the
    // backlog calls for a transaction now: not once per page (a system call each).
    if (!(writer_ == Writer::idle ||
          (writer_ == Writer::gathering && backlog_ >= kMaxBacklog / 4))) {
      return;
    }
  }
  wake_.notify_one();
}

bool StateStore::has_room() {
  rethrow_if_failed();
  std::lock_guard lock(mutex_);
  if (backlog_ < kMaxBacklog) return true;
  starved_ = true;
  return false;
}

std::vector<StoredUrl> StateStore::queued_after(std::int64_t after, std::size_t limit) {
  std::vector<StoredUrl> out;
  SqliteStmt& s = *read_queued_;
  s.bind(1, after);
  s.bind(2, static_cast<std::int64_t>(limit));
  try {
    while (s.step()) {
      StoredUrl u;
      u.id = s.int64(0);
      u.url = s.text(1);
      if (!s.is_null(2)) u.input = s.text(2);
      u.depth = static_cast<int>(s.int64(3));
      u.attempts = static_cast<int>(s.int64(4));
      if (!s.is_null(5)) u.not_before_ms = s.int64(5);
      u.seed = s.int64(6) != 0;
      out.push_back(std::move(u));
    }
  } catch (...) {
    s.reset();
    throw;
  }
  s.reset();
  return out;
}

void StateStore::apply(StateOps& ops) {
  static constexpr const char* kInsertUrl =
      "INSERT INTO frontier(id, depth, seed, fp) VALUES(?1, ?4, ?5, ?6)";
  static constexpr const char* kQueueUrl = "INSERT INTO queue(id, url, input) VALUES(?1, ?2, ?3)";
  static constexpr const char* kClaim =
      "INSERT OR REPLACE INTO in_flight(url_id, attempt, started) VALUES(?1, ?2, ?3)";
  static constexpr const char* kRetry =
      "UPDATE frontier SET attempts = ?2, not_before = ?3 WHERE id = ?1";
  static constexpr const char* kRecord =
      "INSERT INTO records(url_id, url, final_url, status, error, title, content_type, bytes, "
      "elapsed_ms, redirects, encoding, encoding_source, location, depth, attempts, fetched, "
      "links) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
  static constexpr const char* kLink = "INSERT INTO links(url_id, pos, url) VALUES(?1, ?2, ?3)";
  static constexpr const char* kDone =
      "UPDATE frontier SET done = 1, attempts = ?2, not_before = NULL WHERE id = ?1";
  static constexpr const char* kDequeue = "DELETE FROM queue WHERE id = ?1";
  static constexpr const char* kUnclaim = "DELETE FROM in_flight WHERE url_id = ?1";
  static constexpr const char* kMeta = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)";
  static constexpr const char* kRobots =
      "INSERT OR REPLACE INTO robots(origin, host, rules, fetched) VALUES(?1, ?2, ?3, ?4)";
  static constexpr const char* kPause =
      "INSERT OR REPLACE INTO hosts(host, paused_until) VALUES(?1, ?2)";
  if (!stmts_) {
    stmts_ = std::make_unique<Statements>(Statements{
        SqliteStmt(*db_, kInsertUrl), SqliteStmt(*db_, kQueueUrl), SqliteStmt(*db_, kClaim),
        SqliteStmt(*db_, kRetry), SqliteStmt(*db_, kRecord), SqliteStmt(*db_, kLink),
        SqliteStmt(*db_, kDone), SqliteStmt(*db_, kDequeue), SqliteStmt(*db_, kUnclaim),
        SqliteStmt(*db_, kMeta), SqliteStmt(*db_, kRobots), SqliteStmt(*db_, kPause)});
  }
  SqliteStmt* insert_url = &stmts_->insert_url;
  SqliteStmt* queue_url = &stmts_->queue_url;
  SqliteStmt* dequeue = &stmts_->dequeue;
  SqliteStmt* claim = &stmts_->claim;
  SqliteStmt* retry = &stmts_->retry;
  SqliteStmt* record = &stmts_->record;
  SqliteStmt* link = &stmts_->link;
  SqliteStmt* done = &stmts_->done;
  SqliteStmt* unclaim = &stmts_->unclaim;
  SqliteStmt* meta = &stmts_->meta;
  const std::int64_t now = unix_ms();
  std::int64_t max_id = 0;
  for (const StateOps::NewUrl& u : ops.urls) {
    queue_url->bind(1, u.id);
    queue_url->bind(2, std::string_view(u.url));
    queue_url->bind(3, u.input);
    queue_url->run();
    insert_url->bind(1, u.id);
    insert_url->bind(4, static_cast<std::int64_t>(u.depth));
    insert_url->bind(5, static_cast<std::int64_t>(u.seed));
    if (u.fp) {
      insert_url->bind(6, *u.fp);
    } else {
      insert_url->bind_null(6);
    }
    insert_url->run();
    max_id = std::max(max_id, u.id);
  }
  // A fetch claimed and done within this transaction was never under way for a reader: neither
  // its in_flight row nor its removal is written (two of a page's statements, most pages).
  std::unordered_set<std::int64_t> done_now;
  done_now.reserve(ops.done.size());
  for (const StateOps::Done& d : ops.done) done_now.insert(d.id);
  std::unordered_set<std::int64_t> claimed_now;
  for (const StateOps::Claimed& c : ops.claims) {
    if (done_now.count(c.id) != 0) {
      claimed_now.insert(c.id);
      continue;
    }
    claim->bind(1, c.id);
    claim->bind(2, static_cast<std::int64_t>(c.attempt));
    claim->bind(3, now);
    claim->run();
  }
  for (const StateOps::Retried& r : ops.retries) {
    retry->bind(1, r.id);
    retry->bind(2, static_cast<std::int64_t>(r.attempts));
    retry->bind(3, r.not_before_ms);
    retry->run();
  }
  for (const StateOps::Robots& r : ops.robots) {
    stmts_->robots.bind(1, std::string_view(r.origin));
    stmts_->robots.bind(2, std::string_view(r.host));
    stmts_->robots.bind(3, std::string_view(r.rules));
    stmts_->robots.bind(4, now);
    stmts_->robots.run();
  }
  for (const StateOps::Pause& p : ops.pauses) {
    stmts_->pause.bind(1, std::string_view(p.host));
    stmts_->pause.bind(2, p.until_ms);
    stmts_->pause.run();
  }
  std::string lines;
  for (const StateOps::Done& d : ops.done) {
    const PageRecord& r = d.record;
    if (d.has_record) {
      record->bind(1, d.id);
      record->bind(2, std::string_view(r.url));
      // NULL when the same as url (most pages: a third less state per page); '' when nothing
      // was fetched.
      if (r.final_url == r.url) {
        record->bind_null(3);
      } else {
        record->bind(3, std::string_view(r.final_url));
      }
      if (r.status > 0) {
        record->bind(4, static_cast<std::int64_t>(r.status));
      } else {
        record->bind_null(4);
      }
      record->bind(5, nonempty(r.error));
      record->bind(6, r.title);
      record->bind(7, nonempty(r.content_type));
      record->bind(8, static_cast<std::int64_t>(r.bytes));
      record->bind(9, r.elapsed_ms);
      record->bind(10, static_cast<std::int64_t>(r.redirects));
      record->bind(11, nonempty(r.encoding));
      record->bind(12, nonempty(r.encoding_source));
      record->bind(13, nonempty(r.location));
      record->bind(14, static_cast<std::int64_t>(r.depth));
      record->bind(15, static_cast<std::int64_t>(r.attempts));
      record->bind(16, now);
      if (r.links) {
        record->bind(17, static_cast<std::int64_t>(r.links->size()));
      } else {
        record->bind_null(17);
      }
      record->run();
      if (r.links) {
        std::int64_t pos = 0;
        for (const std::string& l : *r.links) {
          link->bind(1, d.id);
          link->bind(2, pos++);
          link->bind(3, std::string_view(l));
          link->run();
        }
      }
    }
    done->bind(1, d.id);
    done->bind(2, static_cast<std::int64_t>(r.attempts));
    done->run();
    dequeue->bind(1, d.id);
    dequeue->run();
    if (claimed_now.count(d.id) == 0) {  // claimed in an earlier transaction
      unclaim->bind(1, d.id);
      unclaim->run();
    }
    if (output_fd_ >= 0 && d.has_record) lines += format_record(output_.format, r, output_.links);
  }
  auto put_meta = [&](const char* key, std::int64_t value) {
    meta->bind(1, std::string_view(key));
    meta->bind(2, value);
    meta->run();
  };
  if (ops.input) {
    put_meta("input_lines", static_cast<std::int64_t>(ops.input->lines));
    put_meta("input_hash", static_cast<std::int64_t>(ops.input->hash));
  }
  if (!lines.empty()) {
    // The records go out before the length that covers them commits: a kill in between leaves
    // bytes past the committed length, which the next run cuts off (and fetches again).
    std::size_t off = 0;
    while (off < lines.size()) {
      const ssize_t n = ::pwrite(output_fd_, lines.data() + off, lines.size() - off,
                                 static_cast<off_t>(output_bytes_) + static_cast<off_t>(off));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw StateError("cannot write output file '" + output_.path +
                         "': " + std::strerror(errno));
      }
      off += static_cast<std::size_t>(n);
    }
    // On a power loss the output must not be shorter than the length the state commits.
    if (::fdatasync(output_fd_) != 0) {
      throw StateError("cannot write output file '" + output_.path + "': " + std::strerror(errno));
    }
    put_meta("output_bytes", output_bytes_ + static_cast<std::int64_t>(lines.size()));
  }
  db_->exec("COMMIT", "cannot write it");
  output_bytes_ += static_cast<std::int64_t>(lines.size());
  if (max_id > 0)
    committed_id_.store(std::max(committed_id_.load(), max_id), std::memory_order_release);
}

void StateStore::run() noexcept {
  // Changes wait this long for company, so that a transaction carries many pages.
  constexpr auto kGather = std::chrono::milliseconds(20);
  for (;;) {
    StateOps ops;
    std::size_t taken = 0;
    std::uint64_t groups = 0;
    {
      std::unique_lock lock(mutex_);
      writer_ = Writer::idle;
      wake_.wait(lock, [this] { return closing_ || !pending_.empty(); });
      if (!closing_) {
        writer_ = Writer::gathering;
        wake_.wait_for(lock, kGather, [this] { return closing_ || backlog_ >= kMaxBacklog / 4; });
      }
      writer_ = Writer::busy;
      if ((pending_.empty() && closing_) || error_ != nullptr) return;
      ops = std::move(pending_);
      pending_ = {};
      taken = backlog_;
      groups = pushed_;
    }
    try {
      db_->exec("BEGIN IMMEDIATE", "cannot write it");
      try {
        apply(ops);
      } catch (...) {
        sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        if (output_fd_ >= 0) (void)::ftruncate(output_fd_, output_bytes_);
        throw;
      }
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        failed_.store(true, std::memory_order_release);
      }
      committed_cv_.notify_all();
      if (on_progress_) on_progress_();  // a crawl waiting for room learns of it
      return;
    }
    bool announce = !ops.urls.empty();
    {
      std::lock_guard lock(mutex_);
      backlog_ -= std::min(backlog_, taken);
      committed_ = groups;
      if (starved_ && backlog_ < kMaxBacklog / 2) {
        starved_ = false;
        announce = true;
      }
    }
    committed_cv_.notify_all();
    if (announce && on_progress_) on_progress_();
  }
}

void StateStore::sync() {
  {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = pushed_;
    if (!thread_.joinable()) return;
    wake_.notify_one();
    committed_cv_.wait(lock, [&] { return committed_ >= target || error_ != nullptr; });
  }
  rethrow_if_failed();
}

void StateStore::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  rethrow_if_failed();
}

}  // namespace acrawl::crawler
