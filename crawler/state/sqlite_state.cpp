#include "crawler/state/sqlite_state.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "crawler/fetch/errors.hpp"
#include "crawler/url/url.hpp"

namespace acrawl::crawler {

namespace {

FrontierOptions window_options(FrontierOptions o) {
  o.dedup = false;  // the fingerprints decide
  o.max_pages = 0;  // so does accepted_, which counts the pages of earlier runs too
  return o;
}

std::int64_t unix_ms_at(SteadyClock::time_point at, SteadyClock::time_point now) {
  const auto wall = std::chrono::system_clock::now() +
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(at - now);
  return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
}

}  // namespace

SqliteState::SqliteState(FrontierOptions options, StateStore& store, std::size_t window)
    : options_(options),
      store_(store),
      window_size_(std::max<std::size_t>(window, 1)),
      window_(window_options(options)),
      resumed_(store.input()) {
  std::int64_t max_id = 0;
  store_.scan_frontier([&](std::int64_t id, std::int64_t fp, bool done, int seed) {
    max_id = std::max(max_id, id);
    if (fp != 0) seen_.insert(static_cast<std::uint64_t>(fp));
    if (!done) ++on_disk_;
    if (seed != StateOps::NewUrl::kRefused) ++accepted_;  // as MemoryState counts
  });
  next_id_ = max_id + 1;
  seed_redirects_ = store_.seed_redirects();
  // What politeness knew: robots.txt rules (not fetched again) and Retry-After pauses.
  const auto now = SteadyClock::now();
  const std::int64_t wall_ms = unix_ms_at(now, now);
  if (options_.robots) {
    for (StateOps::Robots& r : store_.robots(options_.robots_cache)) {
      window_.preload_robots(r.origin, r.host, RobotsRules::deserialize(r.rules), now);
    }
  }
  for (const StateOps::Pause& p : store_.pauses(wall_ms)) {
    window_.pause_host(p.host, now + std::chrono::milliseconds(p.until_ms - wall_ms), now);
  }
  if (!store_.fresh()) {
    spdlog::info("resuming the crawl in {}: {} URLs seen, {} queued", store_.path(), accepted_,
                 on_disk_);
  }
}

bool SqliteState::take(Candidate c, bool seed, StateOps& ops) {
  CrawlItem& item = c.item;
  std::optional<std::int64_t> fp;
  if (!seed) {
    if (item.depth > options_.max_depth) return false;
    if (options_.max_pages > 0 && accepted_ >= options_.max_pages) return false;
  }
  if (options_.dedup) {
    const std::uint64_t f = fingerprint(c.key);
    if (!seen_.insert(f) && !seed) return false;
    fp = static_cast<std::int64_t>(f);
  }
  item.id = next_id_++;
  ++accepted_;
  std::optional<std::string> input;
  if (item.record != item.url) input = item.record;
  ops.urls.push_back(StateOps::NewUrl{item.id, item.url, std::move(input), item.depth,
                                      seed ? StateOps::NewUrl::kSeed : StateOps::NewUrl::kLink,
                                      fp});
  if (on_disk_ == 0 && window_.queued() < window_size_) {
    cursor_ = item.id;
    window_.add(std::move(c), seed);
  } else {
    ++on_disk_;
  }
  return true;
}

void SqliteState::add_seeds(std::vector<Candidate> seeds) {
  StateOps ops;
  for (Candidate& c : seeds) take(std::move(c), true, ops);
  store_.push(std::move(ops));
}

void SqliteState::add_input(std::vector<Candidate> seeds, const std::vector<PageRecord>& refused,
                            const std::vector<std::size_t>& refused_at, InputMark mark) {
  StateOps ops;
  // Ids in input order, refused lines among the seeds, so that export lists a list crawl as
  // its input was.
  std::size_t seed = 0;
  std::size_t r = 0;
  for (std::size_t i = 0; seed < seeds.size() || r < refused.size(); ++i) {
    const bool is_refused = r < refused.size() &&
                            (seed >= seeds.size() || (r < refused_at.size() && refused_at[r] == i));
    if (!is_refused) {
      take(std::move(seeds[seed++]), true, ops);
      continue;
    }
    const std::int64_t id = next_id_++;
    ops.urls.push_back(StateOps::NewUrl{id, refused[r].url, std::nullopt, 0,
                                        StateOps::NewUrl::kRefused, std::nullopt});
    ops.done.push_back(StateOps::Done{id, refused[r]});
    ++r;
  }
  ops.input = mark;
  store_.push(std::move(ops));
}

void SqliteState::refill(SteadyClock::time_point now, bool stuck) {
  if (on_disk_ == 0) return;
  // Below half full; or, when nothing in the window may start (its hosts wait on a delay), up
  // to four windows, so that other hosts' URLs in the file are not held back by them.
  const std::size_t limit = stuck ? 4 * window_size_ : window_size_;
  if (window_.queued() >= (stuck ? limit : window_size_ / 2)) return;
  if (store_.committed_id() <= cursor_) return;  // still on its way to the file
  std::vector<StoredUrl> rows =
      store_.queued_after(cursor_, std::min(window_size_, limit - window_.queued()));
  if (rows.empty()) {
    // Nothing queued above the cursor although the file has every id up to next_id_: the count
    // was off (a damaged state). Trust the file.
    if (store_.committed_id() >= next_id_ - 1) on_disk_ = 0;
    return;
  }
  StateOps ops;
  const auto wall_now = std::chrono::system_clock::now();
  for (StoredUrl& row : rows) {
    cursor_ = row.id;
    --on_disk_;
    std::optional<Url> url = Url::parse(row.url);
    if (!url) {  // not from this acrawl: record it rather than lose it
      PageRecord rec = error_record(row.input.value_or(row.url), error_words::invalid_url);
      rec.depth = row.depth;
      ops.done.push_back(StateOps::Done{row.id, std::move(rec)});
      continue;
    }
    Candidate c;
    c.item.url = std::move(row.url);
    c.item.record = row.input ? std::move(*row.input) : c.item.url;
    c.item.depth = row.depth;
    c.item.host = std::string(url->host());
    c.item.origin = url->origin();
    c.item.input = row.seed != 0;
    c.item.attempt = row.attempts + 1;
    c.item.id = row.id;
    if (row.not_before_ms) {
      const auto wait =
          std::chrono::milliseconds(*row.not_before_ms) -
          std::chrono::duration_cast<std::chrono::milliseconds>(wall_now.time_since_epoch());
      if (wait.count() > 0) {
        window_.requeue_at(std::move(c.item), now + wait);
        continue;
      }
    }
    window_.add(std::move(c), true);  // admitted already: no limit applies again
  }
  store_.push(std::move(ops));
}

Claim SqliteState::claim(SteadyClock::time_point now, std::size_t max) {
  refill(now, false);
  Claim claim = window_.claim(now, max);
  if (claim.fetches.empty() && claim.disallowed.empty() && on_disk_ > 0 && max > 0 &&
      window_.queued() > 0) {
    refill(now, true);
    claim = window_.claim(now, max);  // it sees every host now: its wake_at is the one
  }
  StateOps ops;
  for (CrawlItem& item : claim.fetches) {
    if (item.robots_txt) continue;
    ops.claims.push_back(StateOps::Claimed{item.id, item.attempt});
    if (on_disk_ > 0) item.host_drained = false;  // the file may hold more of its pages
  }
  store_.push(std::move(ops));
  if (claim.fetches.empty() && on_disk_ > 0 && window_.queued() == 0) {
    // The rest is on its way to the file: look again shortly.
    const auto soon = now + std::chrono::milliseconds(10);
    claim.wake_at = claim.wake_at ? std::min(*claim.wake_at, soon) : soon;
  }
  return claim;
}

void SqliteState::release(const CrawlItem& item, SteadyClock::time_point now,
                          std::optional<std::chrono::milliseconds> retry_after) {
  window_.release(item, now, retry_after);
  if (!retry_after || retry_after->count() <= 0) return;
  StateOps ops;
  ops.pauses.push_back(StateOps::Pause{item.host, unix_ms_at(now + *retry_after, now)});
  store_.push(std::move(ops));
}

void SqliteState::robots_known(const CrawlItem& robots_item, RobotsRules rules,
                               SteadyClock::time_point now) {
  StateOps ops;
  // An outage is for this run: a resumed crawl asks for the robots.txt again.
  if (!rules.is_unreachable()) {
    ops.robots.push_back(StateOps::Robots{robots_item.origin, robots_item.host, rules.serialize()});
  }
  window_.robots_known(robots_item, std::move(rules), now);
  store_.push(std::move(ops));
}

void SqliteState::retry(CrawlItem item, SteadyClock::time_point at) {
  StateOps ops;
  ops.retries.push_back(
      StateOps::Retried{item.id, item.attempt - 1, unix_ms_at(at, SteadyClock::now())});
  window_.retry(std::move(item), at);
  store_.push(std::move(ops));
}

void SqliteState::complete(const CrawlItem& item, const PageRecord& record,
                           std::vector<Candidate> links) {
  window_.complete(item, record, {});
  StateOps ops;
  // A sitemap is done like a page (its row leaves the queue) but keeps no record.
  if (!item.robots_txt) ops.done.push_back(StateOps::Done{item.id, record, !item.is_sitemap()});
  for (Candidate& link : links) take(std::move(link), false, ops);
  store_.push(std::move(ops));
}

void SqliteState::add_found(std::vector<Candidate> links) {
  StateOps ops;
  for (Candidate& link : links) take(std::move(link), false, ops);
  store_.push(std::move(ops));
}

}  // namespace acrawl::crawler
