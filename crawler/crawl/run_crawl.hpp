#pragma once
// run_crawl: the crawl as a whole — signals, input, output, the chosen mode, progress and
// summary.

#include "crawler/config.hpp"
#include "crawler/output/summary.hpp"

namespace acrawl::crawler {

// Runs the crawl in config.mode. Throws InputError when an input cannot be opened or read,
// OutputError when an output cannot be opened or written (records emitted before such an error
// are written out first, as far as the output takes them), std::runtime_error when libcurl
// refuses an option, std::system_error when the system refuses a resource (threads, epoll). A
// signal does not throw: the summary says interrupted.
CrawlSummary run_crawl(const CrawlConfig& config);

}  // namespace acrawl::crawler
