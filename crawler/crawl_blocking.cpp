#include "crawler/crawl_blocking.hpp"

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "crawler/admit.hpp"
#include "crawler/curl_share.hpp"
#include "crawler/fetch.hpp"
#include "crawler/interrupt.hpp"
#include "crawler/page.hpp"

namespace acrawl::crawler {

namespace {

class BlockingCrawl {
 public:
  BlockingCrawl(const CrawlConfig& config, UrlSource& source, CrawlOutput& output, CURLSH* share,
                const InterruptFlag& interrupt)
      : config_(config), source_(source), output_(output), share_(share), interrupt_(interrupt) {}

  // One worker: take a URL, fetch it, parse it, write its record; until the input ends, a
  // signal arrives, or another worker failed.
  void work() noexcept {
    try {
      Fetch fetch(config_.fetch, share_, &interrupt_.flag());
      while (!interrupt_.raised() && !failed_.load(std::memory_order_relaxed)) {
        std::optional<InputItem> item = next();
        if (!item) return;
        if (std::optional<PageRecord> refused = refuse(*item)) {
          output_.emit(*refused);
          continue;
        }
        output_.live().transfer_started();
        fetch.prepare(item->url);
        CURLcode code = curl_easy_perform(fetch.easy());
        output_.live().transfer_ended();
        output_.emit(build_record(std::move(item->url), fetch.finish(code)));
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_ = true;
    }
  }

  // Makes every worker stop after its current page.
  void abort() noexcept { failed_ = true; }

  void rethrow_error() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::optional<InputItem> next() {
    std::lock_guard lock(mutex_);
    return source_.next();
  }

  const CrawlConfig& config_;
  UrlSource& source_;
  CrawlOutput& output_;
  CURLSH* share_;
  const InterruptFlag& interrupt_;
  std::mutex mutex_;  // the input, and error_
  std::atomic<bool> failed_{false};
  std::exception_ptr error_;
};

}  // namespace

void crawl_blocking(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                    std::size_t threads, bool& interrupted) {
  InterruptFlag interrupt;
  source.set_stop_flag(&interrupt.flag());
  if (threads == 0) {
    BlockingCrawl crawl(config, source, output, nullptr, interrupt);
    crawl.work();
    interrupted = interrupt.raised();
    crawl.rethrow_error();
    return;
  }
  SharedCaches caches;
  BlockingCrawl crawl(config, source, output, caches.handle(), interrupt);
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
  interrupted = interrupt.raised();
  crawl.rethrow_error();
}

}  // namespace acrawl::crawler
