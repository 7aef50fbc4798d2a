#pragma once
// run_crawl: the crawl as a whole — input, output, the chosen mode, progress and summary.

#include "crawler/config.hpp"
#include "crawler/output/summary.hpp"

namespace acrawl::crawler {

// Runs the crawl in config.mode. Throws InputError when an input cannot be opened or read, and
// std::system_error when the output cannot be opened or written; records written before such
// an error are flushed. A signal does not throw: the summary says interrupted.
CrawlSummary run_crawl(const CrawlConfig& config);

}  // namespace acrawl::crawler
