#include "crawler/output/metric_counts.hpp"

#include <algorithm>

namespace acrawl::crawler {

std::string outcome_of(const PageRecord& rec) {
  if (!rec.error.empty()) return rec.error;
  if (rec.status < 100 || rec.status > 599) return "other";
  return std::to_string(rec.status / 100) + "xx";
}

void MetricCounts::count(const PageRecord& rec) {
  ++pages;
  bytes += rec.bytes;
  ++outcomes[outcome_of(rec)];
  if (rec.final_url.empty()) return;  // nothing was fetched: no latency
  const double seconds = rec.elapsed_ms / 1000.0;
  ++latency_count;
  latency_sum += seconds;
  // Prometheus buckets are "less than or equal": the first bound >= seconds.
  auto at = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
  if (at != kLatencyBounds.end())
    ++latency_buckets[static_cast<std::size_t>(at - kLatencyBounds.begin())];
}

}  // namespace acrawl::crawler
