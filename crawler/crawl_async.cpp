#include "crawler/crawl_async.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/admit.hpp"
#include "crawler/errors.hpp"
#include "crawler/fetch.hpp"
#include "crawler/page.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/loop.hpp"
#include "runtime/queue.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/signals.hpp"
#include "runtime/thread_pool.hpp"

namespace acrawl::crawler {

namespace {

std::size_t default_parsers() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

// A response on its way from a fetch task to a parser.
struct Fetched {
  std::string url;
  FetchResult result;
};

// Decoding and parsing run on the pool; only the finished records come back. Pages waiting
// together go as one job: each hand-off between threads costs a wake-up.
struct BuildRecords {
  std::vector<Fetched> pages;
  std::vector<PageRecord> operator()() {
    std::vector<PageRecord> records;
    records.reserve(pages.size());
    for (Fetched& f : pages) records.push_back(build_record(std::move(f.url), std::move(f.result)));
    return records;
  }
};

constexpr std::size_t kMaxBatch = 8;

// Input read on a thread of its own when it may block (stdin, a pipe), so that a slow producer
// never stalls the loop; read in batches, so the hand-offs cost little.
struct ReadBatch {
  UrlSource* source;
  std::vector<InputItem> operator()() const { return source->next_batch(256); }
};

class AsyncCrawl {
 public:
  AsyncCrawl(const CrawlConfig& config, CrawlOutput& output, std::size_t parsers,
             bool input_may_block)
      : config_(config),
        output_(output),
        slots_(config.concurrency),
        queue_(std::max<std::size_t>(16, 4 * parsers)),
        pool_(parsers) {
    if (input_may_block) input_reader_ = std::make_unique<rt::ThreadPool>(1);
    // libcurl looks for a reusable connection by walking every connection to the host, and
    // tidies its cache by walking all of them: with thousands of transfers at once that is
    // quadratic. Several multi handles, each with its own cache, keep the walks short.
    std::size_t shards = std::clamp<std::size_t>(config.concurrency / kTransfersPerMulti, 1, 256);
    for (std::size_t i = 0; i < shards; ++i) multis_.push_back(std::make_unique<rt::CurlMulti>());
  }

  // Round robin over the multi handles: each keeps its own connections alive for reuse.
  rt::CurlMulti& multi() { return *multis_[next_multi_++ % multis_.size()]; }
  rt::Semaphore& slots() { return slots_; }
  rt::Queue<Fetched>& queue() { return queue_; }
  rt::ThreadPool& pool() { return pool_; }
  rt::ThreadPool* input_reader() { return input_reader_.get(); }
  std::atomic<bool>& input_stop() { return input_stop_; }
  CrawlOutput& output() { return output_; }
  LiveCounters& live() { return output_.live(); }
  // Two per parser thread, so the pool always has the next page waiting.
  std::size_t parse_workers() const { return 2 * pool_.size(); }

  // Easy handles are reused: their connection and DNS caches live in the multi handle anyway.
  std::unique_ptr<Fetch> take_fetch() {
    if (idle_.empty()) return std::make_unique<Fetch>(config_.fetch);
    auto f = std::move(idle_.back());
    idle_.pop_back();
    return f;
  }
  void give_back(std::unique_ptr<Fetch> f) { idle_.push_back(std::move(f)); }

  void emit_cancelled(std::string url) {
    output_.emit(error_record(std::move(url), error_words::cancelled));
  }

 private:
  const CrawlConfig& config_;
  CrawlOutput& output_;
  static constexpr std::size_t kTransfersPerMulti = 64;
  std::vector<std::unique_ptr<rt::CurlMulti>> multis_;
  std::size_t next_multi_ = 0;
  rt::Semaphore slots_;
  rt::Queue<Fetched> queue_;
  rt::ThreadPool pool_;
  std::unique_ptr<rt::ThreadPool> input_reader_;
  std::atomic<bool> input_stop_{false};
  std::vector<std::unique_ptr<Fetch>> idle_;
};

// One transfer. Its concurrency slot is held until the response is queued for parsing, so when
// parsers lag, fetching stalls: memory stays within (concurrency + queue capacity) bodies.
rt::Task<void> fetch_page(AsyncCrawl* crawl, InputItem item, rt::Semaphore::Permit permit) {
  (void)permit;
  std::unique_ptr<Fetch> fetch = crawl->take_fetch();
  fetch->prepare(item.url);
  crawl->live().transfer_started();
  CURLcode code = CURLE_OK;
  try {
    code = co_await crawl->multi().transfer(fetch->easy());
  } catch (const rt::Cancelled&) {
    crawl->live().transfer_ended();
    crawl->emit_cancelled(std::move(item.url));
    throw;
  }
  crawl->live().transfer_ended();
  Fetched fetched{std::move(item.url), fetch->finish(code)};
  crawl->give_back(std::move(fetch));
  crawl->live().queued.fetch_add(1, std::memory_order_relaxed);
  try {
    co_await crawl->queue().push(fetched);
  } catch (const rt::Cancelled&) {
    crawl->live().queued.fetch_sub(1, std::memory_order_relaxed);
    crawl->emit_cancelled(std::move(fetched.url));
    throw;
  }
}

rt::Task<void> parse_worker(AsyncCrawl* crawl) {
  for (;;) {
    std::optional<Fetched> first = co_await crawl->queue().pop();
    if (!first) break;
    BuildRecords job;
    job.pages.push_back(std::move(*first));
    while (job.pages.size() < kMaxBatch) {
      std::optional<Fetched> more = crawl->queue().try_pop();
      if (!more) break;
      job.pages.push_back(std::move(*more));
    }
    crawl->live().queued.fetch_sub(job.pages.size(), std::memory_order_relaxed);
    std::vector<std::string> urls;  // for the records, should the parse be cancelled
    for (const Fetched& f : job.pages) urls.push_back(f.url);
    std::vector<PageRecord> records;
    try {
      records = co_await crawl->pool().run(std::move(job));
    } catch (const rt::Cancelled&) {
      for (std::string& url : urls) crawl->emit_cancelled(std::move(url));
      throw;
    }
    for (const PageRecord& r : records) crawl->output().emit(r);
  }
}

// Reads the input lazily, a batch at a time, and spawns a fetch only when a concurrency slot is
// free: a list of any length never becomes more than `concurrency` tasks.
rt::Task<void> fetch_all(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source) {
  // A read in progress cannot be cancelled, only told to stop waiting: do that on cancel.
  rt::CancelRegistration stop_reading;
  stop_reading.attach(
      rt::current_cancel_state(),
      [](void* flag) { static_cast<std::atomic<bool>*>(flag)->store(true); }, &crawl->input_stop());
  for (;;) {
    std::vector<InputItem> batch;
    if (rt::ThreadPool* reader = crawl->input_reader()) {
      batch = co_await reader->run(ReadBatch{source});
    } else {
      batch = source->next_batch(256);
    }
    if (batch.empty()) break;
    for (InputItem& item : batch) {
      if (std::optional<PageRecord> refused = refuse(item)) {
        crawl->output().emit(*refused);
        continue;
      }
      rt::Semaphore::Permit permit = co_await crawl->slots().acquire();
      scope.spawn(fetch_page(crawl, std::move(item), std::move(permit)));
    }
  }
}

rt::Task<void> pipeline(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source) {
  for (std::size_t i = 0; i < crawl->parse_workers(); ++i) scope.spawn(parse_worker(crawl));
  co_await rt::with_scope(fetch_all, crawl, source);
  crawl->queue().close();  // the parsers drain what is left, then end
}

// The first SIGINT/SIGTERM cancels the crawl (transfers removed, queued work dropped, finished
// records kept); a second one exits at once.
rt::Task<void> watch_signals(rt::SignalSet* signals, rt::JoinHandle<void> crawl,
                             bool* interrupted) {
  int sig = co_await signals->next();
  *interrupted = true;
  spdlog::warn("interrupted by signal {}: finishing (again to quit at once)", sig);
  crawl.cancel();
  sig = co_await signals->next();
  std::_Exit(128 + sig);
}

rt::Task<void> supervise(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source,
                         rt::SignalSet* signals, bool* interrupted) {
  rt::JoinHandle<void> work = scope.spawn(rt::with_scope(pipeline, crawl, source));
  rt::JoinHandle<void> watcher = scope.spawn(watch_signals(signals, work, interrupted));
  try {
    co_await work;
  } catch (const rt::TaskCancelled&) {
    // interrupted: the summary says so
  }
  watcher.cancel();
}

}  // namespace

void crawl_async(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                 bool& interrupted) {
  rt::Loop loop;
  // Before any thread starts, so that every thread inherits the blocked mask.
  rt::SignalSet signals({SIGINT, SIGTERM});
  AsyncCrawl crawl(config, output, config.parsers > 0 ? config.parsers : default_parsers(),
                   source.may_block());
  source.set_stop_flag(&crawl.input_stop());
  loop.run(rt::with_scope(supervise, &crawl, &source, &signals, &interrupted));
  // Responses fetched but never parsed (interrupted) still get their record.
  while (std::optional<Fetched> left = crawl.queue().try_pop()) {
    crawl.live().queued.fetch_sub(1, std::memory_order_relaxed);
    crawl.emit_cancelled(std::move(left->url));
  }
}

}  // namespace acrawl::crawler
