#include "crawler/output/latency.hpp"

#include <cmath>

namespace acrawl::crawler {

namespace {
// Bucket i covers [kMin * kGrowth^i, kMin * kGrowth^(i+1)): 1 µs to about 7 days.
constexpr double kMinMs = 0.001;
constexpr double kGrowth = 1.01;

int bucket_of(double ms, int buckets) {
  if (!(ms > kMinMs)) return 0;
  int i = static_cast<int>(std::log(ms / kMinMs) / std::log(kGrowth));
  return i >= buckets ? buckets - 1 : i;
}
}  // namespace

void LatencyHistogram::record(double ms) noexcept {
  ++buckets_[static_cast<std::size_t>(bucket_of(ms, kBuckets))];
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

double LatencyHistogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return kMinMs * std::pow(kGrowth, static_cast<double>(i) + 0.5);
  }
  return kMinMs * std::pow(kGrowth, kBuckets);
}

}  // namespace acrawl::crawler
