#include "crawler/output/output.hpp"

#include <spdlog/spdlog.h>

namespace acrawl::crawler {

void LiveCounters::transfer_started() noexcept {
  std::size_t now = in_flight.fetch_add(1, std::memory_order_relaxed) + 1;
  std::size_t peak = peak_in_flight.load(std::memory_order_relaxed);
  while (now > peak && !peak_in_flight.compare_exchange_weak(peak, now)) {
  }
}

CrawlOutput::CrawlOutput(RecordSink& sink, RecordSink* links, std::size_t capacity)
    : writer_(sink, links, capacity) {}

void CrawlOutput::emit(PageRecord rec) {
  std::string traced;
  if (spdlog::should_log(spdlog::level::trace)) traced = rec.url + " " + rec.status_text();
  {
    std::lock_guard lock(mutex_);
    summary_.count(rec);
    metric_counts_.count(rec);
  }
  live_.done.fetch_add(1, std::memory_order_relaxed);
  if (!rec.ok()) live_.failed.fetch_add(1, std::memory_order_relaxed);
  writer_.push(std::move(rec));
  // Said once the record is queued: from here on, any signal still writes it out.
  if (!traced.empty()) spdlog::trace("record {}", traced);
}

void CrawlOutput::write_out_now() noexcept {
  // A writer stuck on a reader that stopped reading cannot be helped: wait this long for it.
  writer_.write_out_now(std::chrono::milliseconds(2000));
}

CrawlSummary CrawlOutput::summary() {
  std::lock_guard lock(mutex_);
  CrawlSummary s = summary_;
  s.peak_in_flight = live_.peak_in_flight.load();
  return s;
}

void CrawlOutput::counts(CrawlSummary& summary, MetricCounts& metrics) {
  std::lock_guard lock(mutex_);
  summary = summary_;
  metrics = metric_counts_;
  summary.peak_in_flight = live_.peak_in_flight.load();
}

}  // namespace acrawl::crawler
