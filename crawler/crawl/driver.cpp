#include "crawler/crawl/driver.hpp"

#include <span>

#include "crawler/fetch/errors.hpp"
#include "crawler/frontier/memory_state.hpp"
#include "crawler/state/fingerprint.hpp"

namespace acrawl::crawler {

CrawlDriver::CrawlDriver(const CrawlConfig& config, CrawlOutput& output)
    : CrawlDriver(config, output, nullptr) {}

CrawlDriver::CrawlDriver(const CrawlConfig& config, CrawlOutput& output, CrawlState* state)
    : output_(output),
      own_state_(state == nullptr ? std::make_unique<MemoryState>(frontier_options(config))
                                  : nullptr),
      state_(state == nullptr ? *own_state_ : *state),
      planner_(config, state_),
      high_water_(2 * config.concurrency + kInputBatch),
      state_path_(config.state_path),
      resumed_(state_.resumed_input()),
      track_hosts_(config.metrics.has_value()) {}

CrawlDriver::~CrawlDriver() = default;

bool CrawlDriver::wants_input() {
  if (input_ended_) return false;
  if (mark_.lines < resumed_.lines) return true;  // lines to skip, whatever is queued
  return planner_.backlog() < high_water_ && output_.has_room();
}

void CrawlDriver::add_input(const std::vector<InputItem>& batch, bool stopped) {
  const auto different = [this](const std::string& why) {
    return StateError("state " + state_path_ + " was made by a different crawl: " + why +
                      "; run the same command to resume it, or remove " + state_path_ +
                      " (or pass another --state) to start afresh");
  };
  std::size_t first = 0;
  while (first < batch.size() && mark_.lines < resumed_.lines) {
    mark_.hash = chain_hash(mark_.hash, batch[first++].url);
    if (++mark_.lines == resumed_.lines && mark_.hash != resumed_.hash) {
      throw different("its first " + std::to_string(resumed_.lines) +
                      " input lines are not the ones given now");
    }
  }
  const std::span<const InputItem> lines(batch);
  if (first > 0) planner_.add_resumed_inputs(lines.first(first));
  if (batch.empty()) {
    if (mark_.lines < resumed_.lines && !stopped) {
      throw different("it read " + std::to_string(resumed_.lines) +
                      " input lines, the input given now has " + std::to_string(mark_.lines));
    }
    input_ended_ = true;
    planner_.input_ended();
    publish();
    return;
  }
  if (first == batch.size()) return;
  const std::span<const InputItem> rest = lines.subspan(first);
  if (state_.durable()) {  // only a durable state keeps the mark
    for (const InputItem& item : rest) {
      mark_.hash = chain_hash(mark_.hash, item.url);
      ++mark_.lines;
    }
  }
  for (PageRecord& refused : planner_.add_inputs(rest, mark_)) output_.emit(std::move(refused));
  publish();
}

CrawlDriver::Work CrawlDriver::next(SteadyClock::time_point now, std::size_t max) {
  Work work;
  if (!output_.has_room() || !state_.has_room()) {
    work.output_full = true;
    return work;
  }
  // A resumed crawl starts once it has skipped the input it took in before: those lines give
  // the scope every page's links are judged by. (Input arriving wakes the crawl.)
  if (mark_.lines < resumed_.lines && !input_ended_) return work;
  Claim claim = planner_.claim(now, max);
  work.fetches = std::move(claim.fetches);
  for (CrawlItem& item : work.fetches) {
    item.credentials = planner_.sends_credentials(item.origin);
    host_transfer(item, +1);
  }
  work.wake_at = claim.wake_at;
  // The gauges before the records: a scrape never counts a record before its effects.
  output_.live().robots_refused.fetch_add(claim.disallowed.size(), std::memory_order_relaxed);
  publish();
  for (const CrawlItem& refused : claim.disallowed) {
    if (refused.is_sitemap()) {
      planner_.sitemap_refused(refused);
    } else {
      output_.emit(planner_.disallowed(refused));
    }
  }
  return work;
}

CrawlDriver::Then CrawlDriver::transfer_ended(const CrawlItem& item, const FetchResult& result,
                                              SteadyClock::time_point now) {
  Then then = Then::done;
  if (item.robots_txt) {
    planner_.robots_fetched(item, result, now);
  } else if (planner_.transfer_ended(item, result, now)) {  // tried again later
    output_.live().retries.fetch_add(1, std::memory_order_relaxed);
  } else if (CrawlPlanner::is_sitemap_source(item)) {
    planner_.sitemap_source_fetched(item, result);
  } else {
    then = Then::parse;
  }
  if (then == Then::done) host_transfer(item, -1);
  publish();
  return then;
}

void CrawlDriver::page_parsed(const CrawlItem& item, ParsedPage page) {
  planner_.page_parsed(item, page);
  host_transfer(item, -1);
  publish();
  if (!item.is_sitemap()) output_.emit(std::move(page.record));
}

void CrawlDriver::cancelled(const CrawlItem& item) {
  planner_.abandon(item);
  host_transfer(item, -1);
  publish();
  // No record of its own (robots.txt, a sitemap); or resumed later.
  if (item.robots_txt || item.is_sitemap() || state_.durable()) return;
  PageRecord rec = error_record(item.record, error_words::cancelled);
  rec.depth = item.depth;
  rec.attempts = item.attempt;
  output_.emit(std::move(rec));
}

void CrawlDriver::stop() {
  if (state_.durable()) return;  // what is queued stays queued: the next run fetches it
  for (PageRecord& rec : planner_.drain_inputs()) output_.emit(std::move(rec));
}

void CrawlDriver::host_transfer(const CrawlItem& item, int change) {
  if (!track_hosts_) return;
  if (change > 0) {
    ++host_transfers_[item.host];
    return;
  }
  auto it = host_transfers_.find(item.host);
  if (it != host_transfers_.end() && --it->second == 0) host_transfers_.erase(it);
}

void CrawlDriver::publish() noexcept {
  LiveCounters& live = output_.live();
  live.urls_queued.store(planner_.queued(), std::memory_order_relaxed);
  live.hosts_active.store(host_transfers_.size(), std::memory_order_relaxed);
}

}  // namespace acrawl::crawler
