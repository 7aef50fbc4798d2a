#pragma once
// Frontier: what is still to be fetched, and when each host may be asked next.
//
// Pages wait in one queue per host (politeness is per host name). A host is dispatchable when
// it has pages, fewer than `per_host` of them in flight, its delay since the last start has
// passed (the larger of --delay and robots.txt's Crawl-delay), it is not paused by a
// Retry-After, and the robots.txt of the page's origin is known. next() picks among
// dispatchable hosts round-robin, so a slow or stalled host never holds back the others.
// Pages are deduplicated on their normalized URL (recursive crawls) and limited by depth and
// --max-pages. Not thread-safe: the async mode uses it on the loop thread, the blocking modes
// under a mutex.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/frontier/robots.hpp"

namespace acrawl::crawler {

using SteadyClock = std::chrono::steady_clock;

struct FrontierOptions {
  bool dedup = false;                  // recursive crawls: each normalized URL once
  bool robots = false;                 // obey robots.txt
  int max_depth = 0;                   // links followed up to this depth (seeds are depth 0)
  std::size_t max_pages = 0;           // pages fetched at most (0: no limit)
  std::size_t per_host = 0;            // requests in flight per host (0: no limit)
  std::chrono::milliseconds delay{0};  // between request starts to one host
  std::string robots_product = "acrawl";
};

// One thing to fetch: a page, or the robots.txt of an origin.
struct CrawlItem {
  std::string url;     // what is fetched
  std::string record;  // the record's url field (the input line for seeds)
  int depth = 0;
  std::string host;    // politeness key
  std::string origin;  // scheme://host[:port], for robots.txt
  bool robots_txt = false;
  bool input = false;  // an input URL (it must get a record whatever happens)
  int attempt = 1;     // 2 and up: a retry
};

class Frontier {
 public:
  explicit Frontier(FrontierOptions options);
  ~Frontier();
  Frontier(const Frontier&) = delete;
  Frontier& operator=(const Frontier&) = delete;

  // A page to crawl: url must be an absolute http(s) URL, host and origin its parts, key its
  // dedup key. Returns false when it is not queued: already seen (dedup), deeper than
  // max_depth, or over max_pages. A seed (an input URL) is always queued, and counted.
  bool add(CrawlItem item, const std::string& key, bool seed = false);

  // The key was queued before (dedup crawls only): add() would refuse it. Never throws.
  bool seen(const std::string& key) const noexcept {
    return options_.dedup && seen_.find(key) != seen_.end();
  }

  // What next() says.
  struct Next {
    std::optional<CrawlItem> item;  // to fetch now (in flight from now on)
    bool disallowed = false;        // item is refused by robots.txt: record it, don't fetch
    std::optional<SteadyClock::time_point> wake_at;  // nothing now: look again then, or when
                                                     // something finishes or is added
  };
  Next next(SteadyClock::time_point now);

  // A fetch handed out by next() is over. retry_after (from a 429/503) pauses its host.
  void finished(const CrawlItem& item, SteadyClock::time_point now,
                std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  // A fetch handed out by next() and finished() is to be tried again, not before `at`; it then
  // goes ahead of its host's queue. Counted as queued meanwhile.
  void retry(CrawlItem item, SteadyClock::time_point at);

  // The robots.txt fetch of an origin is over: these rules apply to it from now on.
  void robots_known(const CrawlItem& robots_item, RobotsRules rules, SteadyClock::time_point now);

  // Empties every host's queue (the crawl was stopped) and returns what was queued.
  // Throws only std::bad_alloc.
  std::vector<CrawlItem> drain();

  std::size_t queued() const noexcept { return queued_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t pages_accepted() const noexcept { return accepted_; }
  bool idle() const noexcept { return queued_ == 0 && in_flight_ == 0; }

 private:
  struct Host;
  struct Wake {
    SteadyClock::time_point at;
    Host* host;
    bool operator>(const Wake& o) const { return at > o.at; }
  };

  Host& host_of(const std::string& name);
  void consider(Host& h, SteadyClock::time_point now);
  std::chrono::milliseconds delay_of(const Host& h) const;

  FrontierOptions options_;
  std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
  std::unordered_set<std::string> seen_;
  struct OriginRobots;
  std::unordered_map<std::string, std::unique_ptr<OriginRobots>> robots_;
  std::deque<Host*> ready_;
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> waiting_;
  struct Retry {
    SteadyClock::time_point at;
    std::uint64_t order;  // FIFO among equal times
    CrawlItem item;
    bool operator>(const Retry& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries_;
  std::uint64_t retry_order_ = 0;
  std::size_t queued_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t accepted_ = 0;
};

}  // namespace acrawl::crawler
