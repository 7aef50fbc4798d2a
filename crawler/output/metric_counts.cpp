#include "crawler/output/metric_counts.hpp"

#include <algorithm>

namespace acrawl::crawler {

void MetricCounts::count(const PageRecord& rec) {
  ++pages;
  bytes += rec.bytes;
  if (!rec.error.empty()) {
    ++errors[rec.error];
  } else if (rec.status >= 100 && rec.status <= 599) {
    ++classes[static_cast<std::size_t>(rec.status / 100 - 1)];
  } else {
    ++classes.back();
  }
  if (rec.final_url.empty()) return;  // nothing was fetched: no latency
  const double seconds = rec.elapsed_ms / 1000.0;
  ++latency_count;
  latency_sum += seconds;
  // Prometheus buckets are "less than or equal": the first bound >= seconds.
  auto at = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
  if (at != kLatencyBounds.end()) {
    ++latency_buckets[static_cast<std::size_t>(at - kLatencyBounds.begin())];
  }
}

std::map<std::string, std::uint64_t> MetricCounts::outcomes() const {
  std::map<std::string, std::uint64_t> all = errors;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i] > 0) all[kClasses[i]] += classes[i];
  }
  return all;
}

}  // namespace acrawl::crawler
