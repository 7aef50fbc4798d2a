#include "crawler/crawl/blocking_modes.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/crawl/interrupt.hpp"
#include "crawler/fetch/curl_share.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/frontier/planner.hpp"
#include "crawler/parse/page_record.hpp"

namespace acrawl::crawler {

namespace {

// Waiting workers look at the interrupt flag this often (a signal handler cannot notify).
constexpr auto kPollInterval = std::chrono::milliseconds(100);

class BlockingCrawl {
 public:
  BlockingCrawl(const CrawlConfig& config, UrlSource& source, CrawlOutput& output, CURLSH* share,
                const InterruptFlag& interrupt, std::size_t workers)
      : planner_(config),
        source_(source),
        output_(output),
        share_(share),
        interrupt_(interrupt),
        high_water_(std::max<std::size_t>(workers, 1) + 64) {}

  // One worker: take the next fetch the planner allows, fetch it, parse it, write its record;
  // until the crawl is over, a signal arrives, or another worker failed.
  void work() noexcept {
    try {
      Fetch fetch(planner_.page_fetch(), share_, &interrupt_.flag());
      std::unique_ptr<Fetch> robots;
      while (std::optional<CrawlItem> item = next()) {
        if (item->robots_txt) {
          if (!robots) robots = std::make_unique<Fetch>(planner_.robots_fetch(), share_, nullptr);
          robots->prepare(item->url);
          FetchResult result = robots->finish(curl_easy_perform(robots->easy()));
          std::lock_guard lock(mutex_);
          planner_.robots_fetched(*item, result, SteadyClock::now());
          changed_.notify_all();
          continue;
        }
        output_.live().transfer_started();
        fetch.prepare(item->url);
        CURLcode code = curl_easy_perform(fetch.easy());
        output_.live().transfer_ended();
        FetchResult result = fetch.finish(code);
        {
          std::lock_guard lock(mutex_);
          const bool again = planner_.transfer_ended(*item, result, SteadyClock::now());
          changed_.notify_all();
          if (again) continue;  // queued for another attempt: no record yet
          ++unparsed_;
        }
        ParsedPage page =
            planner_.wants_links()
                ? parse_page(item->record, std::move(result), planner_.link_options())
                : ParsedPage{build_record(item->record, std::move(result)), {}, false};
        {
          std::lock_guard lock(mutex_);
          planner_.page_parsed(*item, page);
        }
        output_.emit(page.record);
        std::lock_guard lock(mutex_);
        --unparsed_;
        changed_.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_ = true;
      changed_.notify_all();
    }
  }

  // Makes every worker stop after its current page.
  void abort() noexcept {
    std::lock_guard lock(mutex_);
    failed_ = true;
    changed_.notify_all();
  }

  // After the workers stopped: the input URLs never started get their record.
  void finish() {
    for (const PageRecord& rec : planner_.drain_inputs()) output_.emit(rec);
  }

  void rethrow_error() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // The next fetch, waiting for one to be allowed; nullopt when the crawl is over or stopped.
  // Reads input (without holding the lock) when nothing else can start.
  std::optional<CrawlItem> next() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (failed_ || interrupt_.raised()) return std::nullopt;
      Frontier::Next n = planner_.next(SteadyClock::now());
      if (n.item && n.disallowed) {
        output_.emit(CrawlPlanner::disallowed_record(*n.item));
        continue;
      }
      if (n.item) return std::move(n.item);
      // Input is read only when nothing can start: reading may wait on a producer (stdin).
      if (!input_done_ && !reading_ && planner_.queued() < high_water_) {
        read_input(lock);
        continue;
      }
      if (input_done_ && planner_.idle() && unparsed_ == 0) {
        changed_.notify_all();
        return std::nullopt;
      }
      auto until = SteadyClock::now() + kPollInterval;
      if (n.wake_at) until = std::min(until, *n.wake_at);
      changed_.wait_until(lock, until);
    }
  }

  void read_input(std::unique_lock<std::mutex>& lock) {
    reading_ = true;
    lock.unlock();
    std::vector<InputItem> batch;
    try {
      batch = source_.next_batch(64);
    } catch (...) {
      lock.lock();
      reading_ = false;
      throw;
    }
    lock.lock();
    reading_ = false;
    if (batch.empty()) input_done_ = true;
    for (const InputItem& item : batch) {
      if (std::optional<PageRecord> refused = planner_.add_seed(item)) output_.emit(*refused);
    }
    changed_.notify_all();
  }

  CrawlPlanner planner_;
  UrlSource& source_;
  CrawlOutput& output_;
  CURLSH* share_;
  const InterruptFlag& interrupt_;
  const std::size_t high_water_;
  std::mutex mutex_;  // everything below, and the planner
  std::condition_variable changed_;
  bool input_done_ = false;
  bool reading_ = false;
  std::size_t unparsed_ = 0;  // fetched, record not yet written
  bool failed_ = false;
  std::exception_ptr error_;
};

}  // namespace

void crawl_blocking(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                    std::size_t threads, bool& interrupted) {
  InterruptFlag interrupt;
  source.set_stop_flag(&interrupt.flag());
  if (threads == 0) {
    BlockingCrawl crawl(config, source, output, nullptr, interrupt, 1);
    crawl.work();
    crawl.finish();
    interrupted = interrupt.raised();
    crawl.rethrow_error();
    return;
  }
  SharedCaches caches;
  BlockingCrawl crawl(config, source, output, caches.handle(), interrupt, threads);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) workers.emplace_back([&crawl] { crawl.work(); });
  } catch (...) {
    crawl.abort();  // out of threads: stop those that started, then report
    for (auto& t : workers) t.join();
    throw;
  }
  for (auto& t : workers) t.join();
  crawl.finish();
  interrupted = interrupt.raised();
  crawl.rethrow_error();
}

}  // namespace acrawl::crawler
