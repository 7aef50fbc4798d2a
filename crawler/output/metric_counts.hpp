#pragma once
// MetricCounts: what --metrics counts of the records written — pages by outcome, bytes, and
// the latency histogram in the fixed buckets Prometheus histograms have. Counting a record is
// a few additions (a map look-up only for a failure's error word): it runs for every record,
// under the output's lock, whether or not anyone reads it.

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "crawler/output/record.hpp"

namespace acrawl::crawler {

struct MetricCounts {
  // Upper bounds of the latency buckets, in seconds: from a fast loopback page to a transfer
  // that ran into the default --timeout.
  static constexpr std::array<double, 14> kLatencyBounds = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  // The status classes of records with an answer: 1xx to 5xx, then anything else.
  static constexpr std::array<const char*, 6> kClasses = {"1xx", "2xx", "3xx",
                                                          "4xx", "5xx", "other"};

  std::uint64_t pages = 0;
  std::uint64_t bytes = 0;
  std::array<std::uint64_t, kClasses.size()> classes{};
  std::map<std::string, std::uint64_t> errors;  // records without an answer, by error word
  // Pages per bucket (not cumulative); the ones past the last bound only in latency_count.
  std::array<std::uint64_t, kLatencyBounds.size()> latency_buckets{};
  std::uint64_t latency_count = 0;  // fetched pages (not input errors)
  double latency_sum = 0;           // seconds

  // Counts one written record. Throws only std::bad_alloc.
  void count(const PageRecord& rec);
  // Pages by outcome: "2xx"... for the classes seen, the error word for the rest. Throws only
  // std::bad_alloc.
  std::map<std::string, std::uint64_t> outcomes() const;
};

}  // namespace acrawl::crawler
