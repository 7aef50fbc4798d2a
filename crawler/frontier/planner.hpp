#pragma once
// CrawlPlanner: what every mode asks of the crawl's logic — admitting input URLs, handing out
// the next fetch (per-host politeness and robots.txt, via the Frontier), and taking back what a
// fetch found (links and redirects within scope, Retry-After, robots.txt rules).
// Not thread-safe: async mode uses it on the loop thread, the blocking modes under a mutex.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

#include "crawler/config.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/frontier/follow_scope.hpp"
#include "crawler/frontier/frontier.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/parse/parse_page.hpp"

namespace acrawl::crawler {

class CrawlPlanner {
 public:
  // Throws std::regex_error for an --include/--exclude pattern that does not compile.
  explicit CrawlPlanner(const CrawlConfig& config);

  // An input URL: queued (nullopt), or refused with its record (not http(s), not a URL).
  // Every input line is queued, duplicates too: each gets its own record.
  std::optional<PageRecord> add_seed(const InputItem& item);

  // The next fetch, if any may start now (see Frontier::next).
  Frontier::Next next(SteadyClock::time_point now) { return frontier_.next(now); }

  // The record of an item that robots.txt refuses (next() said disallowed).
  static PageRecord disallowed_record(const CrawlItem& item);

  // A page's transfer is over: its host may take another request (after Retry-After, if the
  // server sent one with a 429 or 503). True when the failure is transient and attempts are
  // left: the page is queued again (after a backoff, and at least Retry-After) and gets no
  // record now.
  bool transfer_ended(const CrawlItem& item, const FetchResult& result,
                      SteadyClock::time_point now);
  // The robots.txt of item.origin arrived (or failed): its rules apply from now on. A 4xx
  // allows everything; a 5xx, a 429 or no answer disallows the origin for the run (warned once).
  void robots_fetched(const CrawlItem& item, const FetchResult& result,
                      SteadyClock::time_point now);
  // A page is parsed: its in-scope links and its redirect's target are queued; the record gets
  // the item's input URL and depth.
  void page_parsed(const CrawlItem& item, ParsedPage& page);

  // The crawl was stopped: a `cancelled` record for every input URL still queued (discovered
  // links are dropped silently). Throws only std::bad_alloc.
  std::vector<PageRecord> drain_inputs();

  // Nothing queued and nothing handed out (both fetches and robots.txt).
  bool idle() const noexcept { return frontier_.idle(); }
  std::size_t queued() const noexcept { return frontier_.queued(); }

  // How pages and robots.txt files are fetched, and what the parse stage extracts.
  const FetchOptions& page_fetch() const noexcept { return page_fetch_; }
  const FetchOptions& robots_fetch() const noexcept { return robots_fetch_; }
  const LinkOptions& link_options() const noexcept { return link_options_; }
  // Pages need a full parse for their links (recursive crawls, --links).
  bool wants_links() const noexcept { return wants_links_; }

 private:
  bool enqueue(const Url& url, std::string_view record_url, int depth, bool seed);

  FollowOptions follow_;
  RetryOptions retry_;
  std::uint64_t jitter_state_ = 0x9E3779B97F4A7C15ull;
  FetchOptions page_fetch_;
  FetchOptions robots_fetch_;
  LinkOptions link_options_;
  bool wants_links_;
  std::string robots_product_;
  FollowScope scope_;
  Frontier frontier_;
  std::unordered_set<std::string> robots_warned_;
};

}  // namespace acrawl::crawler
