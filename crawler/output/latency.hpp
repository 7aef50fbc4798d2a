#pragma once
// LatencyHistogram: per-page latencies in log-spaced buckets (about 1 % wide), so percentiles
// of a crawl of any length cost a fixed 16 KB.

#include <array>
#include <cstdint>

namespace acrawl::crawler {

class LatencyHistogram {
 public:
  void record(double ms) noexcept;
  void merge(const LatencyHistogram& other) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  // The p-th percentile (0 < p <= 100) in ms, within about 1 %; 0 when empty.
  double percentile(double p) const noexcept;

 private:
  static constexpr int kBuckets = 2048;
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
};

}  // namespace acrawl::crawler
