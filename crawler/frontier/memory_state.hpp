#pragma once
// MemoryState: the crawl state in this process's memory (the default).
//
// Pages wait in one queue per host (politeness is per host name). A host may be asked when it
// has pages, fewer than `per_host` requests in flight, its delay since the last start has passed
// (the larger of --delay and robots.txt's Crawl-delay), it is not paused by a Retry-After, and
// the robots.txt of its head page's origin is known. claim() picks among such hosts round robin,
// so a slow or stalled host never holds back the others; hosts that must wait sit in a time
// heap. Pages are deduplicated on their key (recursive crawls) and limited by depth and
// max_pages.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/frontier/crawl_state.hpp"

namespace acrawl::crawler {

class MemoryState final : public CrawlState {
 public:
  explicit MemoryState(FrontierOptions options);
  ~MemoryState() override;
  MemoryState(const MemoryState&) = delete;
  MemoryState& operator=(const MemoryState&) = delete;

  void add_seeds(std::vector<Candidate> seeds) override;
  bool known(const std::string& key) const noexcept override {
    return options_.dedup && seen_.find(key) != seen_.end();
  }
  Claim claim(SteadyClock::time_point now, std::size_t max) override;
  void release(const CrawlItem& item, SteadyClock::time_point now,
               std::optional<std::chrono::milliseconds> retry_after) override;
  void retry(CrawlItem item, SteadyClock::time_point at) override;
  void robots_known(const CrawlItem& robots_item, RobotsRules rules,
                    SteadyClock::time_point now) override;
  void complete(const CrawlItem& item, const PageRecord& record,
                std::vector<Candidate> links) override;
  void add_found(std::vector<Candidate> links) override;
  void abandon(const CrawlItem& item) noexcept override;
  std::vector<CrawlItem> drain() override;
  std::size_t queued() const noexcept override { return queued_; }
  std::size_t claimed() const noexcept override { return claimed_; }

  // Pages queued since the start, seeds included (what max_pages limits).
  std::size_t pages_accepted() const noexcept { return accepted_; }
  // Hosts it keeps state for: busy ones, and idle ones until their delay has passed.
  std::size_t hosts_known() const noexcept { return hosts_.size(); }
  // Origins whose robots.txt rules it keeps (at most FrontierOptions::robots_cache).
  std::size_t robots_cached() const noexcept { return robots_lru_.size(); }

  // One URL, as add_seeds (seed) and complete (a link) offer each: false when it is not queued
  // (a link already seen, too deep, or over max_pages). Throws only std::bad_alloc.
  bool add(Candidate candidate, bool seed);
  // A page queued again, not before at (as retry, for an item that was not claimed: a retry
  // read back from a durable state). Throws only std::bad_alloc.
  void requeue_at(CrawlItem item, SteadyClock::time_point at);
  // Rules known already for origin (of host), as robots_known gives them, without a fetch: a
  // durable state's, read back. Throws only std::bad_alloc.
  void preload_robots(const std::string& origin, const std::string& host, RobotsRules rules,
                      SteadyClock::time_point now);
  // host takes no request before until (a Retry-After read back from a durable state).
  // Throws only std::bad_alloc.
  void pause_host(const std::string& host, SteadyClock::time_point until,
                  SteadyClock::time_point now);

 private:
  struct Host;
  struct OriginRobots;
  struct Wake {
    SteadyClock::time_point at;
    Host* host;
    bool operator>(const Wake& o) const { return at > o.at; }
  };
  struct Forget {
    SteadyClock::time_point at;
    std::string name;
    bool operator>(const Forget& o) const { return at > o.at; }
  };
  struct Retry {
    SteadyClock::time_point at;
    std::uint64_t order;  // FIFO among equal times
    CrawlItem item;
    bool operator>(const Retry& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  enum class Outcome { none, fetch, disallowed };

  Outcome next(SteadyClock::time_point now, CrawlItem& out);
  std::optional<SteadyClock::time_point> next_wake(SteadyClock::time_point now);
  Host& host_of(const std::string& name);
  void consider(Host& h, SteadyClock::time_point now);
  void maybe_forget(Host& h, SteadyClock::time_point now);
  void forget_due(SteadyClock::time_point now);
  void evict_robots();
  std::chrono::milliseconds delay_of(const Host& h) const;

  FrontierOptions options_;
  std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
  std::unordered_set<std::string> seen_;
  std::unordered_map<std::string, std::unique_ptr<OriginRobots>> robots_;
  std::list<std::string> robots_lru_;  // origins with known rules, most recently used first
  std::priority_queue<Forget, std::vector<Forget>, std::greater<>> forget_;
  std::deque<Host*> ready_;
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> waiting_;
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries_;
  std::uint64_t retry_order_ = 0;
  std::size_t queued_ = 0;
  std::size_t claimed_ = 0;
  std::size_t accepted_ = 0;
};

// The longest Crawl-delay (and the longest Retry-After) obeyed: a day between requests would
// stall the crawl for nothing (like StormCrawler's fetcher.max.crawl.delay).
inline constexpr double kMaxCrawlDelaySeconds = 30;
inline constexpr double kMaxRetryAfterSeconds = 3600;

// A delay in seconds from the web (Crawl-delay, Retry-After) as milliseconds, clamped to
// [0, max_seconds] before converting; NaN counts as 0. Never throws.
std::chrono::milliseconds clamped_delay(double seconds, double max_seconds) noexcept;

// The path and query of an absolute URL in normalized form (robots.txt rules match on them).
std::string_view path_and_query(std::string_view url) noexcept;

}  // namespace acrawl::crawler
