#pragma once
// CrawlSummary: what a crawl did, for standard error (format_summary) and --stats-json.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "crawler/output/latency.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

struct CrawlSummary {
  std::string mode;
  std::size_t pages = 0;      // records written
  std::size_t succeeded = 0;  // 2xx
  std::size_t failed = 0;
  std::map<std::string, std::size_t> failures;  // by error word, or "http_<status>"
  std::uint64_t bytes = 0;
  LatencyHistogram latency;  // per fetched page (transfers only, not input errors)
  double wall_seconds = 0;
  double cpu_seconds = 0;
  long peak_rss_kb = 0;
  std::size_t peak_in_flight = 0;
  bool interrupted = false;    // stopped by a signal
  std::size_t unfinished = 0;  // transfers under way when interrupted
  std::size_t retries = 0;     // attempts beyond the first, over all written records

  // Counts one written record.
  void count(const PageRecord& rec);
  // Fills cpu_seconds and peak_rss_kb from getrusage (the whole process).
  void measure_process();
};

// A few human lines for standard error.
std::string format_summary(const CrawlSummary& s);
// The same as one JSON object, followed by one line break. extra: more members (",\"k\":v..."),
// added at its end.
std::string summary_json(const CrawlSummary& s, std::string_view extra = {});

}  // namespace acrawl::crawler
