#pragma once
// CrawlState: the frontier (what is queued, per host), the seen set and the per-host politeness
// state (requests in flight, the next allowed start, Retry-After pauses, robots.txt rules per
// origin), behind one interface, so that the same crawl logic runs on a state in memory
// (MemoryState, the default) or one kept elsewhere. The calls are per page, not per link: a
// page's links arrive with its completion, fetches are claimed in batches, so that a state
// behind a network or a disk costs one round trip per page.
//
// Lifecycle of an item: queued (add_seeds, complete) → claimed (claim) → for a fetch, release
// when its transfer ends, then either retry (queued again) or complete; for a robots.txt fetch,
// robots_known; for an item refused by robots.txt, complete with its record; abandon when the
// crawl stops before it finishes. Implementations are not thread-safe: callers serialize (the
// async mode on its loop thread, the blocking modes under a mutex).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crawler/frontier/crawl_item.hpp"
#include "crawler/frontier/robots.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

// What every state enforces.
struct FrontierOptions {
  bool dedup = false;                  // recursive crawls: each key once
  bool robots = false;                 // obey robots.txt
  int max_depth = 0;                   // links followed up to this depth (seeds are depth 0)
  std::size_t max_pages = 0;           // pages queued at most, seeds included (0: no limit)
  std::size_t per_host = 0;            // requests in flight per host (0: no limit)
  std::chrono::milliseconds delay{0};  // between request starts to one host
  std::size_t robots_cache = 10'000;   // origins whose robots.txt rules are kept at most
};

// How much of the input a state has taken in: lines (input items) and a hash chained over them,
// so that a resumed crawl skips exactly those lines and can tell a different input.
struct InputMark {
  std::uint64_t lines = 0;
  std::uint64_t hash = 0;
};

// What claim() hands out.
struct Claim {
  std::vector<CrawlItem> fetches;     // pages and robots.txt files to fetch now
  std::vector<CrawlItem> disallowed;  // refused by robots.txt: recorded, never fetched
  // When fetches is empty: nothing may start before this time (or before something changes:
  // a release, a completion, new seeds). nullopt: nothing is waiting for a time.
  std::optional<SteadyClock::time_point> wake_at;
};

class CrawlState {
 public:
  virtual ~CrawlState() = default;

  // Input URLs. Each is queued, a repeated one too (every input line gets its record), whatever
  // the depth and page limits, and its key is marked seen. Throws only std::bad_alloc (memory).
  virtual void add_seeds(std::vector<Candidate> seeds) = 0;
  // A batch of input lines, all taken in together: the seeds (as add_seeds), the records of the
  // lines refused (not URLs: the caller emits them too) with their places in the batch (in
  // order), and how much input that makes. A durable state keeps all of it in one step, so a
  // resumed crawl reads on after them.
  virtual void add_input(std::vector<Candidate> seeds, const std::vector<PageRecord>& refused,
                         const std::vector<std::size_t>& refused_at, InputMark mark) {
    (void)refused;
    (void)refused_at;
    (void)mark;
    add_seeds(std::move(seeds));
  }
  // Durable: the state outlives the process (--state). A stopped crawl then leaves what is
  // queued or under way queued, instead of giving it `cancelled` records.
  virtual bool durable() const noexcept { return false; }
  // The input a durable state had taken in when this run began: the crawl skips that many
  // lines, and stops (StateError) if they hash differently.
  virtual InputMark resumed_input() const noexcept { return {}; }
  // Where the input URLs of earlier runs redirected (a resumed durable state): they widen the
  // scope as they did then. Throws only std::bad_alloc.
  virtual std::vector<std::string> seed_redirects() const { return {}; }
  // False while the state cannot take more changes for now (its disk is behind); the crawl
  // starts nothing until it has room again. Throws the state's error (StateError).
  virtual bool has_room() { return true; }

  // True when key is certainly queued or done already: a local look-up, no I/O. False means
  // "maybe new" (complete() decides), so the caller may skip building items for known links.
  // Never throws.
  virtual bool known(const std::string& key) const noexcept = 0;

  // Up to max fetches that may start at now (round robin over the hosts that may be asked),
  // plus the items robots.txt refuses met on the way. Everything returned is claimed.
  virtual Claim claim(SteadyClock::time_point now, std::size_t max) = 0;

  // The transfer of a claimed page ended: its host may take another request, after retry_after
  // when the server sent one. The item stays claimed. Never throws.
  virtual void release(const CrawlItem& item, SteadyClock::time_point now,
                       std::optional<std::chrono::milliseconds> retry_after) = 0;

  // A released page is to be fetched again, not before at; it goes ahead of its host's queue.
  virtual void retry(CrawlItem item, SteadyClock::time_point at) = 0;

  // A claimed robots.txt fetch is over: these rules apply to its origin from now on (and its
  // Crawl-delay to its host).
  virtual void robots_known(const CrawlItem& robots_item, RobotsRules rules,
                            SteadyClock::time_point now) = 0;

  // A claimed page is done (released already, or refused by robots.txt): its record (none kept
  // for a sitemap), and the links it offers (in scope, with their depth), in one step. Links
  // already seen, deeper than the depth limit or over the page limit are dropped.
  virtual void complete(const CrawlItem& item, const PageRecord& record,
                        std::vector<Candidate> links) = 0;

  // URLs found outside any page (a seed origin's sitemaps): queued as complete() queues a page's
  // links. Throws only std::bad_alloc.
  virtual void add_found(std::vector<Candidate> links) = 0;

  // A claimed item will not finish (the crawl was stopped). Never throws.
  virtual void abandon(const CrawlItem& item) noexcept = 0;

  // The crawl stops: every queued item, removed. Throws only std::bad_alloc.
  virtual std::vector<CrawlItem> drain() = 0;

  // What this process holds toward its frontier (the crawl reads input while it is low): all
  // that is queued, for a state of its own; a shared one (Redis) counts only its own part.
  virtual std::size_t backlog() const noexcept { return queued(); }
  // The input has ended (or was stopped): nothing more comes through add_input. Throws only
  // std::bad_alloc.
  virtual void input_ended() {}

  virtual std::size_t queued() const noexcept = 0;
  virtual std::size_t claimed() const noexcept = 0;
  // Nothing queued, nothing claimed.
  bool idle() const noexcept { return queued() == 0 && claimed() == 0; }
};

}  // namespace acrawl::crawler
