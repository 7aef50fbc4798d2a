#pragma once
// The built-in benchmark behind `acrawl bench`: the same crawl of a generated site on loopback
// in each execution model, measured side by side (like `scrapy bench`, for execution models).

#include <cstddef>
#include <string>
#include <vector>

#include "crawler/config.hpp"

namespace acrawl::bench {

struct ModeComparison {
  std::vector<crawler::Mode> modes{crawler::Mode::async, crawler::Mode::threads,
                                   crawler::Mode::sync};
  std::size_t pages = 1000;
  int latency_ms = 10;  // added by the server to every page
  std::size_t concurrency = 50;
  std::string acrawl_exe;  // the binary to run for each mode (the running one)
};

// Starts the fixture server on 127.0.0.1 with a site of `pages` pages, runs the crawl once per
// mode in a child process (wall, CPU and peak RSS from the kernel, latency percentiles from
// --stats-json), and prints a Markdown table to standard output. Returns 0, or 1 when a run
// failed or lost records. Throws std::system_error when the server or a child cannot start.
int compare_modes(const ModeComparison& options);

}  // namespace acrawl::bench
