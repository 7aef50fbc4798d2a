#include "crawler/crawl/async_mode.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/crawl/driver.hpp"
#include "crawler/fetch/fetch.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/event.hpp"
#include "runtime/loop.hpp"
#include "runtime/queue.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/timer.hpp"

namespace acrawl::crawler {

namespace {

std::size_t default_parsers() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

// A response on its way from a fetch task to a parser.
struct Fetched {
  CrawlItem item;
  FetchResult result;
};

// Decoding and parsing run on the pool; only the finished records (and links) come back. Pages
// waiting together go as one job: each hand-off between threads costs a wake-up.
struct ParseJob {
  std::vector<Fetched> pages;
  ParseStage stage;
  std::vector<ParsedPage> operator()() {
    std::vector<ParsedPage> parsed;
    parsed.reserve(pages.size());
    for (Fetched& f : pages) {
      parsed.push_back(stage(f.item.record, std::move(f.result), f.item.is_sitemap()));
    }
    return parsed;
  }
};

constexpr std::size_t kMaxParseBatch = 8;
// Fetches claimed from the frontier at once, when that many slots are free.
constexpr std::size_t kMaxClaim = 32;

// Input read on a thread of its own when it may block (stdin, a pipe), so that a slow producer
// never stalls the loop. The batch lands in *out, not in the job's result: a job cancelled while
// it runs has its result discarded, and lines read must still get their records.
struct ReadBatch {
  UrlSource* source;
  std::vector<InputItem>* out;
  void operator()() const { *out = source->next_batch(CrawlDriver::kInputBatch); }
};

class AsyncCrawl {
 public:
  AsyncCrawl(const CrawlConfig& config, CrawlState* state, CrawlOutput& output, std::size_t parsers,
             bool input_may_block, CURLSH* share)
      : share_(share),
        driver_(config, output, state),
        output_(output),
        slots_(config.concurrency),
        queue_(std::max<std::size_t>(16, 4 * parsers)),
        pool_(parsers) {
    if (input_may_block) input_reader_ = std::make_unique<rt::ThreadPool>(1);
    // libcurl looks for a reusable connection by walking every connection to the host, and
    // tidies its cache by walking all of them: with thousands of transfers at once that is
    // quadratic. Several multi handles, each with its own cache, keep the walks short.
    std::size_t shards = std::clamp<std::size_t>(config.concurrency / kTransfersPerMulti, 1, 256);
    // A bounded connection cache: as many idle connections as busy ones at most, so a list of
    // many hosts does not keep one open per host it has seen (the oldest idle one goes first).
    const std::size_t per_shard = (config.concurrency + shards - 1) / shards;
    for (std::size_t i = 0; i < shards; ++i) {
      multis_.push_back(std::make_unique<rt::CurlMulti>(2 * per_shard, kBatchWindow));
    }
  }

  CrawlDriver& driver() { return driver_; }
  // Round robin over the multi handles: each keeps its own connections alive for reuse.
  rt::CurlMulti& multi() { return *multis_[next_multi_++ % multis_.size()]; }
  rt::Semaphore& slots() { return slots_; }
  rt::Queue<Fetched>& queue() { return queue_; }
  rt::ThreadPool& pool() { return pool_; }
  rt::ThreadPool* input_reader() { return input_reader_.get(); }
  // Lines the input reader read, not yet given to the driver.
  std::vector<InputItem>& read_batch() { return read_batch_; }
  LiveCounters& live() { return output_.live(); }
  // Two per parser thread, so the pool always has the next page waiting.
  std::size_t parse_workers() const { return 2 * pool_.size(); }

  // Set whenever the driver may have something new to hand out (a fetch ended, a page was
  // parsed, input arrived, the output got room).
  rt::Event& changed() { return changed_; }
  // Set whenever the input reader may go on (the frontier shrank, the output got room).
  rt::Event& input_room() { return input_room_; }
  // Set from other threads (through Loop::post): the first signal.
  rt::Event& stop_requested() { return stop_requested_; }
  void output_room() {
    changed_.set();
    input_room_.set();
  }

  // Easy handles are reused: their connections live in the multi handle, and their DNS and TLS
  // session caches (and cookies) in the crawl's share (a TLS session resumed whichever handle
  // reconnects to a host).
  // robots.txt and sitemaps are fetched with options of their own, on a handle of their own.
  static bool is_page(const CrawlItem& item) { return !item.robots_txt && !item.is_sitemap(); }
  std::unique_ptr<Fetch> take_fetch(const CrawlItem& item) {
    if (!is_page(item) || idle_.empty()) {
      return std::make_unique<Fetch>(driver_.fetch_options(item), share_);
    }
    auto f = std::move(idle_.back());
    idle_.pop_back();
    return f;
  }
  void give_back(const CrawlItem& item, std::unique_ptr<Fetch> f) {
    if (is_page(item)) idle_.push_back(std::move(f));
  }

 private:
  CURLSH* share_;  // outlives the crawl: the easy handles go before it
  CrawlDriver driver_;
  CrawlOutput& output_;
  static constexpr std::size_t kTransfersPerMulti = 64;
  // HTTP/2: one connection's events are taken together at most once a millisecond (measured on
  // 10,000 pages over one connection: 1.69 s without, 1.47 s with 1 ms, 1.58 s with 4 ms).
  static constexpr std::chrono::microseconds kBatchWindow{1000};
  std::vector<std::unique_ptr<rt::CurlMulti>> multis_;
  std::size_t next_multi_ = 0;
  rt::Semaphore slots_;
  rt::Queue<Fetched> queue_;
  rt::ThreadPool pool_;
  std::unique_ptr<rt::ThreadPool> input_reader_;
  std::vector<InputItem> read_batch_;
  std::vector<std::unique_ptr<Fetch>> idle_;
  rt::Event changed_;
  rt::Event input_room_;
  rt::Event stop_requested_;
};

// Keeps the loop from taking a wait on another thread (the output writer) for a deadlock.
class LoopHold {
 public:
  LoopHold() : loop_(rt::Loop::current()) { loop_.hold(); }
  ~LoopHold() { loop_.release(); }
  LoopHold(const LoopHold&) = delete;
  LoopHold& operator=(const LoopHold&) = delete;

 private:
  rt::Loop& loop_;
};

// One transfer (a page, or a robots.txt file). Its concurrency slot is held until the response
// is queued for parsing, so when parsers lag, fetching stalls: memory stays within
// (concurrency + queue capacity) bodies.
rt::Task<void> fetch_one(AsyncCrawl* crawl, CrawlItem item, rt::Semaphore::Permit permit) {
  (void)permit;
  std::unique_ptr<Fetch> fetch = crawl->take_fetch(item);
  const CURLcode prepared = fetch->prepare(item.url, !item.host_drained, item.credentials);
  crawl->live().transfer_started();
  CURLcode code = prepared;
  try {
    if (prepared == CURLE_OK) code = co_await crawl->multi().transfer(fetch->easy());
  } catch (const rt::Cancelled&) {
    crawl->live().transfer_ended();
    crawl->driver().cancelled(item);
    throw;
  }
  crawl->live().transfer_ended();
  Fetched fetched{std::move(item), fetch->finish(code)};
  crawl->give_back(fetched.item, std::move(fetch));
  const CrawlDriver::Then then =
      crawl->driver().transfer_ended(fetched.item, fetched.result, SteadyClock::now());
  crawl->changed().set();
  if (then == CrawlDriver::Then::done) co_return;
  crawl->live().queued.fetch_add(1, std::memory_order_relaxed);
  try {
    co_await crawl->queue().push(fetched);
  } catch (const rt::Cancelled&) {
    crawl->live().queued.fetch_sub(1, std::memory_order_relaxed);
    crawl->driver().cancelled(fetched.item);
    throw;
  }
}

rt::Task<void> parse_worker(AsyncCrawl* crawl) {
  for (;;) {
    std::optional<Fetched> first = co_await crawl->queue().pop();
    if (!first) break;
    ParseJob job;
    job.stage = crawl->driver().parse_stage();
    job.pages.push_back(std::move(*first));
    while (job.pages.size() < kMaxParseBatch) {
      std::optional<Fetched> more = crawl->queue().try_pop();
      if (!more) break;
      job.pages.push_back(std::move(*more));
    }
    crawl->live().queued.fetch_sub(job.pages.size(), std::memory_order_relaxed);
    std::vector<CrawlItem> items;  // for the driver, and for the records should it be cancelled
    items.reserve(job.pages.size());
    for (const Fetched& f : job.pages) items.push_back(f.item);
    std::vector<ParsedPage> pages;
    try {
      pages = co_await crawl->pool().run(std::move(job));
    } catch (const rt::Cancelled&) {
      for (const CrawlItem& item : items) crawl->driver().cancelled(item);
      throw;
    }
    for (std::size_t i = 0; i < pages.size(); ++i) {
      crawl->driver().page_parsed(items[i], std::move(pages[i]));
    }
    crawl->changed().set();
  }
}

// Until the output has room again (the writer thread posts it), holding the loop: the wake-up
// comes from another thread.
rt::Task<void> wait_output_room(AsyncCrawl* crawl, rt::Event* event) {
  LoopHold hold;
  co_await event->wait();
  (void)crawl;
}

// Reads the input lazily, a batch at a time, whenever the frontier runs low: a list of any
// length never becomes more than a few thousand queued URLs.
rt::Task<void> feed_input(AsyncCrawl* crawl, UrlSource* source) {
  // A read in progress cannot be cancelled, only told to stop waiting: do that on cancel.
  rt::CancelRegistration stop_reading;
  stop_reading.attach(
      rt::current_cancel_state(), [](void* s) { static_cast<UrlSource*>(s)->stop(); }, source);
  while (!crawl->driver().input_ended()) {
    crawl->input_room().clear();
    if (!crawl->driver().wants_input()) {
      if (crawl->driver().output_full()) {
        co_await wait_output_room(crawl, &crawl->input_room());
      } else {
        co_await crawl->input_room().wait();  // dispatch sets it as the frontier shrinks
      }
      continue;
    }
    std::vector<InputItem> batch;
    if (rt::ThreadPool* reader = crawl->input_reader()) {
      co_await reader->run(ReadBatch{source, &crawl->read_batch()});
      batch = std::move(crawl->read_batch());
      crawl->read_batch().clear();
    } else {
      batch = source->next_batch(CrawlDriver::kInputBatch);
    }
    crawl->driver().add_input(batch, source->stopped());
    crawl->changed().set();
    if (!crawl->input_reader()) co_await rt::yield();  // let fetches start between batches
  }
}

rt::Task<void> wait_event(rt::Event* event) {
  co_await event->wait();
}

// Until something changes, or the driver's next time comes.
rt::Task<void> wait_for_change(AsyncCrawl* crawl, std::optional<SteadyClock::time_point> at) {
  if (!at) {
    co_await crawl->changed().wait();
    co_return;
  }
  auto now = SteadyClock::now();
  if (*at <= now) co_return;
  try {
    co_await rt::with_timeout(wait_event(&crawl->changed()), *at - now);
  } catch (const rt::TimeoutError&) {
  }
}

// Hands free concurrency slots the fetches the driver allows, until the crawl is over.
rt::Task<void> dispatch(rt::Scope& scope, AsyncCrawl* crawl) {
  for (;;) {
    std::vector<rt::Semaphore::Permit> permits;
    permits.push_back(co_await crawl->slots().acquire());
    while (permits.size() < kMaxClaim) {
      rt::Semaphore::Permit more = crawl->slots().try_acquire();
      if (!more) break;
      permits.push_back(std::move(more));
    }
    for (;;) {
      crawl->changed().clear();
      CrawlDriver::Work work = crawl->driver().next(SteadyClock::now(), permits.size());
      // The frontier may have shrunk (fetches started, pages robots.txt refused): the input may
      // go on.
      if (crawl->driver().wants_input()) crawl->input_room().set();
      if (!work.fetches.empty()) {
        for (CrawlItem& item : work.fetches) {
          scope.spawn(fetch_one(crawl, std::move(item), std::move(permits.back())));
          permits.pop_back();
        }
        break;  // unused permits go back to the semaphore
      }
      if (crawl->driver().finished()) co_return;
      if (work.output_full) {
        co_await wait_output_room(crawl, &crawl->changed());
      } else {
        co_await wait_for_change(crawl, work.wake_at);
      }
    }
  }
}

rt::Task<void> crawl_all(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source) {
  scope.spawn(feed_input(crawl, source));
  co_await dispatch(scope, crawl);
}

rt::Task<void> pipeline(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source) {
  for (std::size_t i = 0; i < crawl->parse_workers(); ++i) scope.spawn(parse_worker(crawl));
  co_await rt::with_scope(crawl_all, crawl, source);
  crawl->queue().close();  // the parsers drain what is left, then end
}

// The first signal (posted by the Interrupt's thread) cancels the crawl: transfers removed,
// queued work dropped, finished records kept.
rt::Task<void> watch_stop(AsyncCrawl* crawl, rt::JoinHandle<void> work) {
  co_await crawl->stop_requested().wait();
  work.cancel();
}

rt::Task<void> supervise(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source) {
  rt::JoinHandle<void> work = scope.spawn(rt::with_scope(pipeline, crawl, source));
  rt::JoinHandle<void> watcher = scope.spawn(watch_stop(crawl, work));
  try {
    co_await work;
  } catch (const rt::TaskCancelled&) {
    // interrupted: the summary says so
  }
  watcher.cancel();
}

}  // namespace

void crawl_async(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                 Interrupt& interrupt, CURLSH* share, CrawlState* state) {
  rt::Loop loop;
  AsyncCrawl crawl(config, state, output, config.parsers > 0 ? config.parsers : default_parsers(),
                   source.may_block(), share);
  // Whatever ended the loop (the end, a signal, an error), every URL admitted gets its record:
  // responses fetched but never parsed, lines read but not yet admitted, input URLs queued.
  auto records_for_the_rest = [&crawl] {
    while (std::optional<Fetched> left = crawl.queue().try_pop()) {
      crawl.live().queued.fetch_sub(1, std::memory_order_relaxed);
      crawl.driver().cancelled(left->item);
    }
    if (!crawl.read_batch().empty()) crawl.driver().add_input(crawl.read_batch());
    crawl.driver().stop();
  };
  try {
    struct Unregister {
      CrawlOutput& output;
      ~Unregister() { output.on_room({}); }
    } unregister{output};
    // Other threads reach the loop only through post(), and only while these are registered.
    output.on_room([&loop, &crawl] { loop.post([&crawl] { crawl.output_room(); }); });
    Interrupt::Subscription stop = interrupt.on_first(
        [&loop, &crawl] { loop.post([&crawl] { crawl.stop_requested().set(); }); });
    loop.run(rt::with_scope(supervise, &crawl, &source));
  } catch (...) {
    try {
      records_for_the_rest();
    } catch (...) {
      // The first error is the one to report (the output may be what failed).
    }
    throw;
  }
  records_for_the_rest();
}

}  // namespace acrawl::crawler
