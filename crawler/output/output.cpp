#include "crawler/output/output.hpp"

namespace acrawl::crawler {

void LiveCounters::transfer_started() noexcept {
  std::size_t now = in_flight.fetch_add(1, std::memory_order_relaxed) + 1;
  std::size_t peak = peak_in_flight.load(std::memory_order_relaxed);
  while (now > peak && !peak_in_flight.compare_exchange_weak(peak, now)) {
  }
}

void CrawlOutput::emit(const PageRecord& rec) {
  std::lock_guard lock(mutex_);
  sink_.write(rec);
  if (links_ != nullptr) links_->write(rec);
  summary_.count(rec);
  live_.done.fetch_add(1, std::memory_order_relaxed);
  if (!rec.ok()) live_.failed.fetch_add(1, std::memory_order_relaxed);
}

CrawlSummary CrawlOutput::summary() {
  std::lock_guard lock(mutex_);
  CrawlSummary s = summary_;
  s.peak_in_flight = live_.peak_in_flight.load();
  return s;
}

}  // namespace acrawl::crawler
