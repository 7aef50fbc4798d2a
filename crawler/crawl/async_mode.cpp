#include "crawler/crawl/async_mode.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/fetch/errors.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/frontier/planner.hpp"
#include "crawler/parse/page_record.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/event.hpp"
#include "runtime/loop.hpp"
#include "runtime/queue.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/signals.hpp"
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
struct BuildRecords {
  std::vector<Fetched> pages;
  bool links = false;
  LinkOptions link_options;
  std::vector<ParsedPage> operator()() {
    std::vector<ParsedPage> parsed;
    parsed.reserve(pages.size());
    for (Fetched& f : pages) {
      if (links) {
        parsed.push_back(parse_page(f.item.record, std::move(f.result), link_options));
      } else {
        parsed.push_back(ParsedPage{build_record(f.item.record, std::move(f.result)), {}, false});
      }
    }
    return parsed;
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
      : planner_(config),
        output_(output),
        slots_(config.concurrency),
        queue_(std::max<std::size_t>(16, 4 * parsers)),
        pool_(parsers),
        high_water_(2 * config.concurrency + 256) {
    if (input_may_block) input_reader_ = std::make_unique<rt::ThreadPool>(1);
    // libcurl looks for a reusable connection by walking every connection to the host, and
    // tidies its cache by walking all of them: with thousands of transfers at once that is
    // quadratic. Several multi handles, each with its own cache, keep the walks short.
    std::size_t shards = std::clamp<std::size_t>(config.concurrency / kTransfersPerMulti, 1, 256);
    for (std::size_t i = 0; i < shards; ++i) multis_.push_back(std::make_unique<rt::CurlMulti>());
  }

  // Round robin over the multi handles: each keeps its own connections alive for reuse.
  rt::CurlMulti& multi() { return *multis_[next_multi_++ % multis_.size()]; }
  CrawlPlanner& planner() { return planner_; }
  rt::Semaphore& slots() { return slots_; }
  rt::Queue<Fetched>& queue() { return queue_; }
  rt::ThreadPool& pool() { return pool_; }
  rt::ThreadPool* input_reader() { return input_reader_.get(); }
  std::atomic<bool>& input_stop() { return input_stop_; }
  CrawlOutput& output() { return output_; }
  LiveCounters& live() { return output_.live(); }
  // Two per parser thread, so the pool always has the next page waiting.
  std::size_t parse_workers() const { return 2 * pool_.size(); }

  // Set whenever the planner may have something new to hand out (a fetch ended, links or input
  // arrived), or the input reader may have room again.
  rt::Event& changed() { return changed_; }
  rt::Event& room() { return room_; }
  bool wants_input() const { return planner_.queued() < high_water_; }
  void input_done() {
    input_done_ = true;
    changed_.set();
  }
  // A fetched page is waiting for its parse; then its record is written.
  void fetched() { ++unparsed_; }
  void parsed() {
    --unparsed_;
    changed_.set();
  }
  // Nothing left: input read, nothing queued or in flight, every record written.
  bool finished() const { return input_done_ && planner_.idle() && unparsed_ == 0; }

  // Easy handles are reused: their connection and DNS caches live in the multi handle anyway.
  std::unique_ptr<Fetch> take_fetch() {
    if (idle_.empty()) return std::make_unique<Fetch>(planner_.page_fetch());
    auto f = std::move(idle_.back());
    idle_.pop_back();
    return f;
  }
  void give_back(std::unique_ptr<Fetch> f) { idle_.push_back(std::move(f)); }

  void emit_cancelled(const CrawlItem& item) {
    PageRecord rec = error_record(item.record, error_words::cancelled);
    rec.depth = item.depth;
    output_.emit(rec);
  }

 private:
  CrawlPlanner planner_;
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
  std::size_t high_water_;
  rt::Event changed_;
  rt::Event room_;
  bool input_done_ = false;
  std::size_t unparsed_ = 0;
};

// One transfer. Its concurrency slot is held until the response is queued for parsing, so when
// parsers lag, fetching stalls: memory stays within (concurrency + queue capacity) bodies.
rt::Task<void> fetch_page(AsyncCrawl* crawl, CrawlItem item, rt::Semaphore::Permit permit) {
  (void)permit;
  std::unique_ptr<Fetch> fetch = crawl->take_fetch();
  fetch->prepare(item.url);
  crawl->live().transfer_started();
  CURLcode code = CURLE_OK;
  try {
    code = co_await crawl->multi().transfer(fetch->easy());
  } catch (const rt::Cancelled&) {
    crawl->live().transfer_ended();
    crawl->emit_cancelled(item);
    throw;
  }
  crawl->live().transfer_ended();
  Fetched fetched{std::move(item), fetch->finish(code)};
  crawl->give_back(std::move(fetch));
  const bool again =
      crawl->planner().transfer_ended(fetched.item, fetched.result, SteadyClock::now());
  crawl->changed().set();
  if (again) co_return;  // queued for another attempt: no record yet
  crawl->fetched();
  crawl->live().queued.fetch_add(1, std::memory_order_relaxed);
  try {
    co_await crawl->queue().push(fetched);
  } catch (const rt::Cancelled&) {
    crawl->live().queued.fetch_sub(1, std::memory_order_relaxed);
    crawl->emit_cancelled(fetched.item);
    throw;
  }
}

// robots.txt of an origin, before its first page; never a record of its own.
rt::Task<void> fetch_robots(AsyncCrawl* crawl, CrawlItem item, rt::Semaphore::Permit permit) {
  (void)permit;
  Fetch fetch(crawl->planner().robots_fetch());
  fetch.prepare(item.url);
  CURLcode code = co_await crawl->multi().transfer(fetch.easy());
  crawl->planner().robots_fetched(item, fetch.finish(code), SteadyClock::now());
  crawl->changed().set();
}

rt::Task<void> parse_worker(AsyncCrawl* crawl) {
  for (;;) {
    std::optional<Fetched> first = co_await crawl->queue().pop();
    if (!first) break;
    BuildRecords job;
    job.links = crawl->planner().wants_links();
    job.link_options = crawl->planner().link_options();
    job.pages.push_back(std::move(*first));
    while (job.pages.size() < kMaxBatch) {
      std::optional<Fetched> more = crawl->queue().try_pop();
      if (!more) break;
      job.pages.push_back(std::move(*more));
    }
    crawl->live().queued.fetch_sub(job.pages.size(), std::memory_order_relaxed);
    std::vector<CrawlItem> items;  // for the planner, and for the records should it be cancelled
    items.reserve(job.pages.size());
    for (const Fetched& f : job.pages) items.push_back(f.item);
    std::vector<ParsedPage> pages;
    try {
      pages = co_await crawl->pool().run(std::move(job));
    } catch (const rt::Cancelled&) {
      for (const CrawlItem& item : items) crawl->emit_cancelled(item);
      throw;
    }
    for (std::size_t i = 0; i < pages.size(); ++i) {
      crawl->planner().page_parsed(items[i], pages[i]);
      crawl->output().emit(pages[i].record);
      crawl->parsed();
    }
  }
}

// Reads the input lazily, a batch at a time, whenever the frontier runs low: a list of any
// length never becomes more than a few thousand queued URLs.
rt::Task<void> feed_input(AsyncCrawl* crawl, UrlSource* source) {
  // A read in progress cannot be cancelled, only told to stop waiting: do that on cancel.
  rt::CancelRegistration stop_reading;
  stop_reading.attach(
      rt::current_cancel_state(),
      [](void* flag) { static_cast<std::atomic<bool>*>(flag)->store(true); }, &crawl->input_stop());
  for (;;) {
    while (!crawl->wants_input()) {
      crawl->room().clear();
      co_await crawl->room().wait();
    }
    std::vector<InputItem> batch;
    if (rt::ThreadPool* reader = crawl->input_reader()) {
      batch = co_await reader->run(ReadBatch{source});
    } else {
      batch = source->next_batch(256);
    }
    if (batch.empty()) break;
    for (InputItem& item : batch) {
      if (std::optional<PageRecord> refused = crawl->planner().add_seed(item)) {
        crawl->output().emit(*refused);
      }
    }
    crawl->changed().set();
    if (!crawl->input_reader()) co_await rt::yield();  // let fetches start between batches
  }
  crawl->input_done();
}

rt::Task<void> wait_event(rt::Event* event) {
  co_await event->wait();
}

// Until something changes, or the planner's next time comes.
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

// Hands each free concurrency slot the next fetch the planner allows, until the crawl is over.
rt::Task<void> dispatch(rt::Scope& scope, AsyncCrawl* crawl) {
  for (;;) {
    rt::Semaphore::Permit permit = co_await crawl->slots().acquire();
    for (;;) {
      crawl->changed().clear();
      Frontier::Next next = crawl->planner().next(SteadyClock::now());
      if (next.item) {
        crawl->room().set();
        if (next.disallowed) {
          crawl->output().emit(CrawlPlanner::disallowed_record(*next.item));
          continue;
        }
        if (next.item->robots_txt) {
          scope.spawn(fetch_robots(crawl, std::move(*next.item), std::move(permit)));
        } else {
          scope.spawn(fetch_page(crawl, std::move(*next.item), std::move(permit)));
        }
        break;
      }
      if (crawl->finished()) co_return;
      co_await wait_for_change(crawl, next.wake_at);
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
    crawl.emit_cancelled(left->item);
  }
  for (const PageRecord& rec : crawl.planner().drain_inputs()) output.emit(rec);
}

}  // namespace acrawl::crawler
