#include "crawler/crawl/driver.hpp"

#include "crawler/fetch/errors.hpp"
#include "crawler/frontier/memory_state.hpp"

namespace acrawl::crawler {

CrawlDriver::CrawlDriver(const CrawlConfig& config, CrawlOutput& output)
    : output_(output),
      own_state_(std::make_unique<MemoryState>(frontier_options(config))),
      planner_(config, *own_state_),
      high_water_(2 * config.concurrency + kInputBatch) {}

CrawlDriver::CrawlDriver(const CrawlConfig& config, CrawlOutput& output, CrawlState& state)
    : output_(output), planner_(config, state), high_water_(2 * config.concurrency + kInputBatch) {}

CrawlDriver::~CrawlDriver() = default;

bool CrawlDriver::wants_input() {
  return !input_ended_ && planner_.queued() < high_water_ && output_.has_room();
}

void CrawlDriver::add_input(const std::vector<InputItem>& batch) {
  if (batch.empty()) {
    input_ended_ = true;
    return;
  }
  for (PageRecord& refused : planner_.add_inputs(batch)) output_.emit(std::move(refused));
}

CrawlDriver::Work CrawlDriver::next(SteadyClock::time_point now, std::size_t max) {
  Work work;
  if (!output_.has_room()) {
    work.output_full = true;
    return work;
  }
  Claim claim = planner_.claim(now, max);
  for (const CrawlItem& refused : claim.disallowed) output_.emit(planner_.disallowed(refused));
  work.fetches = std::move(claim.fetches);
  work.wake_at = claim.wake_at;
  return work;
}

CrawlDriver::Then CrawlDriver::transfer_ended(const CrawlItem& item, const FetchResult& result,
                                              SteadyClock::time_point now) {
  if (item.robots_txt) {
    planner_.robots_fetched(item, result, now);
    return Then::done;
  }
  return planner_.transfer_ended(item, result, now) ? Then::done : Then::parse;
}

void CrawlDriver::page_parsed(const CrawlItem& item, ParsedPage page) {
  planner_.page_parsed(item, page);
  output_.emit(std::move(page.record));
}

void CrawlDriver::cancelled(const CrawlItem& item) {
  planner_.abandon(item);
  if (item.robots_txt) return;  // never a record of its own
  PageRecord rec = error_record(item.record, error_words::cancelled);
  rec.depth = item.depth;
  rec.attempts = item.attempt;
  output_.emit(std::move(rec));
}

void CrawlDriver::stop() {
  for (PageRecord& rec : planner_.drain_inputs()) output_.emit(std::move(rec));
}

}  // namespace acrawl::crawler
