#pragma once
// CrawlItem: one thing the crawl fetches (a page, or the robots.txt of an origin), as the
// frontier keeps it and the modes carry it from claim to record.

#include <chrono>
#include <cstdint>
#include <string>

namespace acrawl::crawler {

using SteadyClock = std::chrono::steady_clock;

// A sitemap file is an item of depth -1 - level (level: how deep in sitemap indexes it was
// found, 0 for one robots.txt names), so that every state keeps it as it keeps a page, with no
// field of its own; it never gets a record.
constexpr int sitemap_depth(int level) noexcept {
  return -1 - level;
}

struct CrawlItem {
  std::string url;     // what is fetched
  std::string record;  // the record's url field (the input line for seeds)
  int depth = 0;
  std::string host;    // politeness key
  std::string origin;  // scheme://host[:port], for robots.txt
  bool robots_txt = false;
  bool input = false;   // an input URL (it must get a record whatever happens)
  int attempt = 1;      // 2 and up: a retry
  std::int64_t id = 0;  // its row in a durable state (0: none)
  // Set by claim: nothing else was queued, in flight or about to be found for its host then,
  // so its connection need not be kept for another request.
  bool host_drained = false;
  bool is_sitemap() const noexcept { return depth < 0; }
  int sitemap_level() const noexcept { return -1 - depth; }

  // Set when handed out (never stored): its origin is a seed's, so --user goes with it.
  bool credentials = false;
};

// A URL offered to the frontier: the item, and its dedup key (the normalized URL; empty when
// the crawl does not deduplicate).
struct Candidate {
  CrawlItem item;
  std::string key;
};

}  // namespace acrawl::crawler
