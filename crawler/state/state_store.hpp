#pragma once
// StateStore: a crawl's state in an SQLite file (WAL mode), and the -o file whose committed
// length it keeps. The file is locked for the life of the store (a second acrawl is refused),
// checked to be an acrawl state of the same crawl, and written by a thread of its own: the
// crawl hands over groups of changes (StateOps) and never waits for the disk; the thread
// applies many groups per transaction, never splitting one, and appends their records to the
// -o file before the transaction that stores the file's new length commits. After any kill, the
// state holds whole groups only, and the -o file is cut back to the committed length when the
// crawl resumes: every record is in it exactly once. Schema: docs/STATE.md.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crawler/config.hpp"
#include "crawler/frontier/crawl_state.hpp"
#include "crawler/output/record.hpp"
#include "crawler/state/crawl_definition.hpp"
#include "crawler/state/sqlite.hpp"

namespace acrawl::crawler {

// Changes to the state, applied together (in this order: new URLs, claims, retries, robots.txt
// rules, pauses, completions; groups merged by append() keep their order within each kind).
struct StateOps {
  struct NewUrl {
    std::int64_t id;
    std::string url;
    std::optional<std::string> input;  // the input line, when it is not url
    int depth;
    int seed;                        // kLink, kSeed, kRefused
    std::optional<std::int64_t> fp;  // dedup crawls
    static constexpr int kLink = 0;
    static constexpr int kSeed = 1;
    static constexpr int kRefused = 2;  // an input line that is not a URL (its record only)
  };
  struct Claimed {
    std::int64_t id;
    int attempt;
  };
  struct Retried {
    std::int64_t id;
    int attempts;  // transfers made so far
    std::int64_t not_before_ms;
  };
  struct Done {
    std::int64_t id;
    PageRecord record;
    bool has_record = true;  // false: a sitemap file, done without a record of its own
  };
  struct Robots {
    std::string origin;
    std::string host;
    std::string rules;  // RobotsRules::serialize()
  };
  struct Pause {
    std::string host;
    std::int64_t until_ms;
  };
  std::vector<NewUrl> urls;
  std::vector<Robots> robots;
  std::vector<Pause> pauses;
  std::vector<Claimed> claims;
  std::vector<Retried> retries;
  std::vector<Done> done;
  std::optional<InputMark> input;

  bool empty() const noexcept {
    return urls.empty() && claims.empty() && retries.empty() && done.empty() && robots.empty() &&
           pauses.empty() && !input;
  }
  std::size_t size() const noexcept {
    return urls.size() + claims.size() + retries.size() + done.size() + robots.size() +
           pauses.size();
  }
  void append(StateOps&& other);
};

// A queued URL read back from the state.
struct StoredUrl {
  std::int64_t id;
  std::string url;
  std::optional<std::string> input;
  int depth;
  int attempts;
  std::optional<std::int64_t> not_before_ms;
  bool seed;
};

// What the output file is, for the store to keep.
struct StoredOutput {
  std::string path;  // empty: records go to stdout (not kept by the store)
  OutputFormat format = OutputFormat::tsv;
  bool links = false;  // JSONL records carry links
};

class StateStore {
 public:
  // Changes waiting for the disk beyond which has_room() says false.
  static constexpr std::size_t kMaxBacklog = 200'000;

  // Opens or creates the state at path and locks it; checks that it is an acrawl state made by
  // this crawl (definition); opens the output file and cuts it back to its committed length.
  // Throws StateError (exit 2) for every way this can fail; the message says how to start
  // afresh where that is the remedy.
  StateStore(const std::string& path, const CrawlDefinition& definition, StoredOutput output);
  // Stops the writer; changes not yet written are lost (close() writes them). Never throws.
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  bool fresh() const noexcept { return fresh_; }
  const std::string& path() const noexcept { return path_; }
  // The input the state has taken in so far (zero for a fresh state).
  InputMark input() const noexcept { return input_; }

  // Before start(): every row of the frontier, in id order (fp: 0 when none; seed: NewUrl's
  // kinds).
  void scan_frontier(
      const std::function<void(std::int64_t id, std::int64_t fp, bool done, int seed)>& fn);
  // Before start(): where input URLs redirected (records at depth 0 with a location).
  std::vector<std::string> seed_redirects();
  // Before start(): the robots.txt rules kept, the newest `limit` origins.
  std::vector<StateOps::Robots> robots(std::size_t limit);
  // Before start(): hosts paused (Retry-After) until after now_ms.
  std::vector<StateOps::Pause> pauses(std::int64_t now_ms);
  // Starts the writer thread. fn runs on it (quick, never throws) whenever the backlog falls
  // below half of kMaxBacklog after has_room() said false, and after each commit of new URLs.
  void start(std::function<void()> on_progress);

  // Hands a group of changes to the writer. Throws the writer's error (StateError) once it
  // has failed, and std::bad_alloc.
  void push(StateOps&& ops);
  // False while the writer is behind by kMaxBacklog changes. Throws the writer's error.
  bool has_room();
  // The highest frontier id the file holds (queued URLs up to it can be read back).
  std::int64_t committed_id() const noexcept {
    return committed_id_.load(std::memory_order_acquire);
  }
  // Up to limit queued URLs with ids above after, in id order, as committed. Throws StateError.
  std::vector<StoredUrl> queued_after(std::int64_t after, std::size_t limit);

  // Blocks until every change pushed so far is committed (tests; a crawl never waits for the
  // disk). Throws the writer's error.
  void sync();

  // URLs queued in the file (after close(): what the next run fetches). Throws StateError.
  std::int64_t queued_rows();

  // Writes every change pushed, commits, and stops the writer. Throws its error (StateError).
  void close();

 private:
  void create_schema();
  // True when the state has a definition, and it is this one; false when it has none yet.
  // Throws StateError when it has another.
  bool check_definition(const CrawlDefinition& definition);
  void store_definition(const CrawlDefinition& definition);
  void open_output();
  void run() noexcept;
  void apply(StateOps& ops);
  void rethrow_if_failed();

  std::string path_;
  int lock_fd_ = -1;
  std::unique_ptr<SqliteDb> db_;  // the writer's (before start: the opener's)
  struct Statements {
    SqliteStmt insert_url, queue_url, claim, retry, record, link, done, dequeue, unclaim, meta,
        robots, pause;
  };
  std::unique_ptr<Statements> stmts_;  // the writer's, prepared at its first transaction
  std::unique_ptr<SqliteDb> reader_;   // the crawl's, for queued_after
  std::optional<SqliteStmt> read_queued_;
  StoredOutput output_;
  int output_fd_ = -1;
  std::int64_t output_bytes_ = 0;  // committed length of the output file
  bool fresh_ = false;
  InputMark input_;

  std::mutex mutex_;
  std::condition_variable wake_;
  StateOps pending_;
  std::size_t backlog_ = 0;      // changes pushed and not yet committed
  std::uint64_t pushed_ = 0;     // groups pushed
  std::uint64_t committed_ = 0;  // groups committed
  std::condition_variable committed_cv_;
  bool starved_ = false;
  enum class Writer { busy, idle, gathering };
  Writer writer_ = Writer::busy;  // what the writer thread is doing (push wakes it if idle)
  bool closing_ = false;
  std::exception_ptr error_;
  std::atomic<bool> failed_{false};
  std::atomic<std::int64_t> committed_id_{0};
  std::function<void()> on_progress_;
  std::thread thread_;
};

}  // namespace acrawl::crawler
