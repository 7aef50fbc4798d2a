#pragma once
// CrawlPlanner: the crawl's logic about URLs, whatever the mode and wherever the state lives —
// admitting input URLs, the scope of links and redirects, the retry policy, the robots.txt
// policy (4xx, 5xx, unreachable) — on top of a CrawlState that keeps the frontier.
// Not thread-safe: async mode uses it on the loop thread, the blocking modes under a mutex.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/config.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/frontier/crawl_state.hpp"
#include "crawler/frontier/follow_scope.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/parse/parse_page.hpp"

namespace acrawl::crawler {

class CrawlPlanner {
 public:
  // The state must outlive the planner. Throws std::regex_error for an --include/--exclude
  // pattern that does not compile.
  CrawlPlanner(const CrawlConfig& config, CrawlState& state);

  // Input URLs: every valid http(s) one is queued, a repeated one too (each line gets its own
  // record). Returns the records of the refused ones (not a URL, another scheme), after a
  // warning naming the line. Throws only std::bad_alloc.
  // mark: how much input the state has taken in with this batch (durable states keep it).
  std::vector<PageRecord> add_inputs(std::span<const InputItem> batch, InputMark mark = {});

  // Input lines a resumed crawl took in before: not queued again, but the scope is theirs.
  void add_resumed_inputs(std::span<const InputItem> batch);

  // What may start now (see CrawlState::claim).
  Claim claim(SteadyClock::time_point now, std::size_t max) { return state_.claim(now, max); }

  // An item robots.txt refuses: done, and its record (robots_disallowed).
  PageRecord disallowed(const CrawlItem& item);

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
  // A page is parsed: the record gets the item's input URL, depth and attempts; the page is
  // done, and its in-scope links and its redirect's target are offered to the frontier. A
  // sitemap: its pages (in scope) and its child sitemaps (a few levels deep at most) instead.
  void page_parsed(const CrawlItem& item, ParsedPage& page);
  // The robots.txt a sitemap search fetched (--sitemaps --ignore-robots: no rules, only its
  // Sitemap: lines) arrived: the sitemaps it names (or /sitemap.xml) are queued.
  void sitemap_source_fetched(const CrawlItem& item, const FetchResult& result);
  // An item robots.txt refuses, which is a sitemap: done, without a record.
  void sitemap_refused(const CrawlItem& item);
  // A sitemap item that is the origin's robots.txt (see sitemap_source_fetched).
  static bool is_sitemap_source(const CrawlItem& item) {
    return item.is_sitemap() && item.url.size() == item.origin.size() + 11 &&
           item.url.starts_with(item.origin) && item.url.ends_with("/robots.txt");
  }
  // A claimed item will not finish (the crawl was stopped). Never throws.
  void abandon(const CrawlItem& item) noexcept { state_.abandon(item); }

  // The crawl was stopped: a `cancelled` record for every input URL still queued (discovered
  // links are dropped silently). Throws only std::bad_alloc.
  std::vector<PageRecord> drain_inputs();

  // --user goes to this origin: it is an input URL's (this run's, or a resumed crawl's).
  bool sends_credentials(const std::string& origin) const {
    return seed_origins_.find(origin) != seed_origins_.end();
  }

  // Nothing queued and nothing claimed (fetches, robots.txt, pages being parsed).
  bool idle() const noexcept { return state_.idle(); }
  std::size_t queued() const noexcept { return state_.queued(); }
  std::size_t backlog() const noexcept { return state_.backlog(); }
  void input_ended() { state_.input_ended(); }

  // How pages and robots.txt files are fetched, and how pages are parsed.
  const FetchOptions& page_fetch() const noexcept { return page_fetch_; }
  const FetchOptions& robots_fetch() const noexcept { return robots_fetch_; }
  const FetchOptions& sitemap_fetch() const noexcept { return sitemap_fetch_; }
  // The options item is fetched with.
  const FetchOptions& fetch_options(const CrawlItem& item) const noexcept {
    if (item.robots_txt || is_sitemap_source(item)) return robots_fetch_;
    return item.is_sitemap() ? sitemap_fetch_ : page_fetch_;
  }
  const ParseStage& parse_stage() const noexcept { return parse_stage_; }

 private:
  // An input URL widens the scope (recursive crawls) and is an origin --user goes to; its
  // origin's sitemaps are looked for (once: the source item goes to sitemaps).
  void add_seed(const Url& url, std::vector<Candidate>& sitemaps);
  // Sitemap items for these URLs at this level (nothing already known).
  void add_sitemaps(const std::vector<std::string>& urls, int level,
                    std::vector<Candidate>& out) const;
  void sitemap_parsed(const CrawlItem& item, ParsedPage& page);
  // Candidate for url, unless dedup is on and the state knows its key already.
  std::optional<Candidate> candidate(const Url& url, std::string_view record_url, int depth,
                                     bool seed) const;

  CrawlState& state_;
  FollowOptions follow_;
  RetryOptions retry_;
  std::uint64_t jitter_state_ = 0x9E3779B97F4A7C15ull;
  FetchOptions page_fetch_;
  FetchOptions robots_fetch_;
  FetchOptions sitemap_fetch_;
  ParseStage parse_stage_;
  std::string robots_product_;
  FollowScope scope_;
  std::unordered_set<std::string> robots_warned_;
  bool credentials_ = false;                      // --user given: seed_origins_ kept
  std::unordered_set<std::string> seed_origins_;  // scheme://host[:port] of the input URLs
  // --sitemaps: seed origins whose sitemaps are looked for (true) or are to be, once their
  // robots.txt is known (false).
  std::unordered_map<std::string, bool> sitemap_origins_;
};

// The product token robots.txt groups name: the user agent up to its first '/' or space.
std::string robots_product_token(const FetchOptions& fetch);

// The frontier options that follow from a crawl's configuration.
FrontierOptions frontier_options(const CrawlConfig& config);

}  // namespace acrawl::crawler
