#pragma once
// MetricsSnapshot: the crawl's figures at one moment, as /metrics and /status show them, taken
// from any thread while the crawl runs.

#include <cstddef>
#include <cstdint>
#include <string>

#include "crawler/output/metric_counts.hpp"
#include "crawler/output/output.hpp"
#include "crawler/output/summary.hpp"

namespace acrawl::crawler {

struct MetricsSnapshot {
  CrawlSummary summary;  // the records so far, with wall time, CPU and memory filled in
  MetricCounts counts;
  std::uint64_t retries = 0;
  std::uint64_t robots_refused = 0;
  std::size_t in_flight = 0;
  std::size_t urls_queued = 0;
  std::size_t hosts_active = 0;
  std::size_t awaiting_parse = 0;
  double start_time_seconds = 0;  // Unix time the crawl started
};

// What output has counted so far; mode and elapsed seconds describe the crawl. Never throws
// but std::bad_alloc.
MetricsSnapshot take_snapshot(CrawlOutput& output, std::string mode, double elapsed_seconds,
                              double start_time_seconds);

}  // namespace acrawl::crawler
