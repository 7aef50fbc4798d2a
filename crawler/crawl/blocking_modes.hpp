#pragma once
// The blocking modes. threads: `concurrency` OS threads, each with its own easy handle doing
// blocking transfers and parsing inline, sharing DNS and TLS session caches. sync: one
// transfer at a time on the calling thread.

#include "crawler/config.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/output/output.hpp"

namespace acrawl::crawler {

// Writes one record per URL of source to output using `threads` worker threads (0: the calling
// thread alone, no shared caches: the sync mode). On SIGINT/SIGTERM sets interrupted and stops:
// transfers under way end with a `cancelled` record; URLs not yet read get none. Throws what
// the source or the output throw (the first error of any thread, after all have stopped).
void crawl_blocking(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                    std::size_t threads, bool& interrupted);

}  // namespace acrawl::crawler
