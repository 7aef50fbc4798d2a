#include "crawler/metrics/metrics_snapshot.hpp"

#include <utility>

namespace acrawl::crawler {

MetricsSnapshot take_snapshot(CrawlOutput& output, std::string mode, double elapsed_seconds,
                              double start_time_seconds) {
  MetricsSnapshot s;
  const LiveCounters& live = output.live();
  // Gauges first, records after: a page that ends between the two reads is then counted as
  // done rather than missing from both.
  s.in_flight = live.in_flight.load(std::memory_order_relaxed);
  s.urls_queued = live.urls_queued.load(std::memory_order_relaxed);
  s.hosts_active = live.hosts_active.load(std::memory_order_relaxed);
  s.awaiting_parse = live.queued.load(std::memory_order_relaxed);
  s.retries = live.retries.load(std::memory_order_relaxed);
  s.robots_refused = live.robots_refused.load(std::memory_order_relaxed);
  output.counts(s.summary, s.counts);
  s.summary.mode = std::move(mode);
  s.summary.wall_seconds = elapsed_seconds;
  s.summary.measure_process();
  s.start_time_seconds = start_time_seconds;
  return s;
}

}  // namespace acrawl::crawler
