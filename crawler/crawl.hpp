#pragma once
// run_crawl: the crawl as a whole — input, fetching, parsing, output, summary.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "crawler/config.hpp"
#include "crawler/record.hpp"

namespace acrawl::crawler {

struct CrawlSummary {
  std::size_t pages = 0;      // records written
  std::size_t succeeded = 0;  // 2xx
  std::size_t failed = 0;
  std::map<std::string, std::size_t> failures;  // by error word or "http_<status>"
  std::uint64_t bytes = 0;
  double wall_seconds = 0;
  std::size_t peak_in_flight = 0;

  void count(const PageRecord& rec);
};

// Runs the crawl. Throws InputError when an input cannot be opened or read, and
// std::system_error when the output cannot be opened or written; records written before
// such an error are flushed.
CrawlSummary run_crawl(const CrawlConfig& config);

// A one-line human summary for standard error.
std::string format_summary(const CrawlSummary& summary);

}  // namespace acrawl::crawler
