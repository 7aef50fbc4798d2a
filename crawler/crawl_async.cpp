#include "crawler/crawl_async.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <thread>
#include <vector>

#include "crawler/errors.hpp"
#include "crawler/fetch.hpp"
#include "crawler/page.hpp"
#include "crawler/url_check.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/thread_pool.hpp"

namespace acrawl::crawler {

namespace {

std::size_t default_parsers() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

class AsyncCrawl {
 public:
  AsyncCrawl(const CrawlConfig& config, RecordSink& sink)
      : config_(config),
        sink_(sink),
        slots_(config.concurrency),
        parsers_(config.parsers > 0 ? config.parsers : default_parsers()) {}

  rt::CurlMulti& multi() { return multi_; }
  rt::ThreadPool& parsers() { return parsers_; }
  rt::Semaphore& slots() { return slots_; }

  // Easy handles are reused: their connection and DNS caches live in the multi handle anyway.
  std::unique_ptr<Fetch> take_fetch() {
    if (idle_.empty()) return std::make_unique<Fetch>(config_.fetch);
    auto f = std::move(idle_.back());
    idle_.pop_back();
    return f;
  }
  void give_back(std::unique_ptr<Fetch> f) { idle_.push_back(std::move(f)); }

  void emit(const PageRecord& rec) {
    summary_.count(rec);
    sink_.write(rec);
  }

  CrawlSummary summary() {
    summary_.peak_in_flight = multi_.peak_in_flight();
    return summary_;
  }

 private:
  const CrawlConfig& config_;
  RecordSink& sink_;
  rt::CurlMulti multi_;
  rt::Semaphore slots_;
  rt::ThreadPool parsers_;
  std::vector<std::unique_ptr<Fetch>> idle_;
  CrawlSummary summary_;
};

// Decoding and parsing run on the pool; only the finished record comes back.
struct BuildRecord {
  std::string url;
  FetchResult result;
  PageRecord operator()() { return build_record(std::move(url), std::move(result)); }
};

rt::Task<void> fetch_page(AsyncCrawl* crawl, InputItem item, rt::Semaphore::Permit permit) {
  std::unique_ptr<Fetch> fetch = crawl->take_fetch();
  fetch->prepare(item.url);
  CURLcode code = co_await crawl->multi().transfer(fetch->easy());
  FetchResult result = fetch->finish(code);
  crawl->give_back(std::move(fetch));
  permit.release();  // the slot bounds transfers, not parsing
  BuildRecord job{std::move(item.url), std::move(result)};
  PageRecord record = co_await crawl->parsers().run(std::move(job));
  crawl->emit(record);
}

rt::Task<void> feed(rt::Scope& scope, AsyncCrawl* crawl, UrlSource* source) {
  while (auto item = source->next()) {
    CheckedUrl checked = check_url(item->url);
    if (checked.verdict != UrlVerdict::ok) {
      spdlog::warn("{}: {}: {}", item->where, checked.reason, item->url);
      crawl->emit(
          error_record(std::move(item->url), checked.verdict == UrlVerdict::unsupported_scheme
                                                 ? error_words::unsupported_scheme
                                                 : error_words::invalid_url));
      continue;
    }
    rt::Semaphore::Permit permit = co_await crawl->slots().acquire();
    scope.spawn(fetch_page(crawl, std::move(*item), std::move(permit)));
  }
}

}  // namespace

CrawlSummary crawl_async(const CrawlConfig& config, UrlSource& source, RecordSink& sink) {
  rt::Loop loop;
  AsyncCrawl crawl(config, sink);
  loop.run(rt::with_scope(feed, &crawl, &source));
  return crawl.summary();
}

}  // namespace acrawl::crawler
