#include "crawler/crawl/blocking_modes.hpp"

#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/crawl/driver.hpp"
#include "crawler/fetch/fetch.hpp"

namespace acrawl::crawler {

namespace {

class BlockingCrawl {
 public:
  BlockingCrawl(const CrawlConfig& config, CrawlState* state, UrlSource& source,
                CrawlOutput& output, CURLSH* share, const Interrupt& interrupt)
      : driver_(config, output, state),
        source_(source),
        output_(output),
        share_(share),
        interrupt_(interrupt) {}

  // Wakes every waiting worker (the output got room, a signal came). Thread-safe.
  void poke() {
    std::lock_guard lock(mutex_);
    changed_.notify_all();
  }

  // One worker: take the next fetch the driver allows, fetch it, parse it; until the crawl is
  // over, a signal arrives, or another worker failed.
  void work() noexcept {
    try {
      // Handles are made before the first page: an option this libcurl refuses fails here.
      Fetch page_fetch(driver_.fetch_options(CrawlItem{}), share_, &interrupt_.flag());
      // robots.txt files and sitemaps: a handle for each kind of options, made when needed.
      std::map<const FetchOptions*, std::unique_ptr<Fetch>> other_fetches;
      while (std::optional<CrawlItem> item = next()) {
        Fetch* fetch = &page_fetch;
        if (item->robots_txt || item->is_sitemap()) {
          const FetchOptions& options = driver_.fetch_options(*item);
          std::unique_ptr<Fetch>& other = other_fetches[&options];
          if (!other) other = std::make_unique<Fetch>(options, share_, &interrupt_.flag());
          fetch = other.get();
        }
        output_.live().transfer_started();
        CURLcode code = fetch->prepare(item->url, !item->host_drained, item->credentials);
        if (code == CURLE_OK) code = curl_easy_perform(fetch->easy());
        output_.live().transfer_ended();
        FetchResult result = fetch->finish(code);
        // A page whose transfer a signal aborted (CURLE_ABORTED_BY_CALLBACK) goes on to its
        // `cancelled` record, like the async mode's (a durable state keeps it queued instead);
        // a robots.txt says nothing of its site.
        CrawlDriver::Then then = CrawlDriver::Then::done;
        {
          std::lock_guard lock(mutex_);
          if (code == CURLE_ABORTED_BY_CALLBACK &&
              (item->robots_txt || item->is_sitemap() || driver_.durable())) {
            driver_.cancelled(*item);
          } else {
            then = driver_.transfer_ended(*item, result, SteadyClock::now());
          }
          changed_.notify_all();
        }
        if (then == CrawlDriver::Then::done) continue;
        ParsedPage page =
            driver_.parse_stage()(item->record, std::move(result), item->is_sitemap());
        std::lock_guard lock(mutex_);
        driver_.page_parsed(*item, std::move(page));
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
  void finish() { driver_.stop(); }

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
      CrawlDriver::Work work = driver_.next(SteadyClock::now(), 1);
      if (!work.fetches.empty()) return std::move(work.fetches.front());
      // Input is read only when nothing can start: reading may wait on a producer (stdin).
      if (!work.output_full && !reading_ && driver_.wants_input()) {
        read_input(lock);
        continue;
      }
      if (driver_.finished()) {
        changed_.notify_all();
        return std::nullopt;
      }
      // A transfer ending, a page parsed, input read, room in the output or a signal notifies.
      if (work.wake_at) {
        changed_.wait_until(lock, *work.wake_at);
      } else {
        changed_.wait(lock);
      }
    }
  }

  void read_input(std::unique_lock<std::mutex>& lock) {
    reading_ = true;
    lock.unlock();
    std::vector<InputItem> batch;
    try {
      batch = source_.next_batch(CrawlDriver::kInputBatch);
    } catch (...) {
      lock.lock();
      reading_ = false;
      throw;
    }
    lock.lock();
    reading_ = false;
    driver_.add_input(batch, source_.stopped());
    changed_.notify_all();
  }

  CrawlDriver driver_;
  UrlSource& source_;
  CrawlOutput& output_;
  CURLSH* share_;
  const Interrupt& interrupt_;
  std::mutex mutex_;  // everything below, and the driver
  std::condition_variable changed_;
  bool reading_ = false;
  bool failed_ = false;
  std::exception_ptr error_;
};

// Runs the workers, with the output's room and the first signal waking them, and finishes.
void run_workers(BlockingCrawl& crawl, CrawlOutput& output, Interrupt& interrupt,
                 std::size_t threads) {
  struct Unregister {
    CrawlOutput& output;
    ~Unregister() { output.on_room({}); }
  } unregister{output};
  output.on_room([&crawl] { crawl.poke(); });
  Interrupt::Subscription stop = interrupt.on_first([&crawl] { crawl.poke(); });
  if (threads == 0) {
    crawl.work();
  } else {
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
  }
  crawl.finish();
  crawl.rethrow_error();
}

}  // namespace

void crawl_blocking(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                    std::size_t threads, Interrupt& interrupt, CURLSH* share, CrawlState* state) {
  // One thread alone has nothing to share but cookies (and takes no lock without them).
  if (threads == 0 && !config.fetch.cookie_engine) share = nullptr;
  BlockingCrawl crawl(config, state, source, output, share, interrupt);
  run_workers(crawl, output, interrupt, threads);
}

}  // namespace acrawl::crawler
