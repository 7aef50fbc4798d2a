#pragma once
// The blocking modes. threads: `concurrency` OS threads, each with its own easy handle doing
// blocking transfers and parsing inline, sharing DNS and TLS session caches. sync: one
// transfer at a time on the calling thread. The crawl's logic is the CrawlDriver's, called
// under one mutex; this file only schedules it.

#include <curl/curl.h>

#include <cstddef>

#include "crawler/config.hpp"
#include "crawler/crawl/interrupt.hpp"
#include "crawler/frontier/crawl_state.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/output/output.hpp"

namespace acrawl::crawler {

// Writes one record per URL of source to output using `threads` worker threads (0: the calling
// thread alone, the sync mode: the share only for its cookies). share: the DNS, TLS session
// and cookie caches (see SharedCaches; it must outlive the call). At the first signal (interrupt)
// it stops: transfers under way end with a `cancelled` record, input URLs still queued too; URLs
// not yet read get none (a durable state keeps all of them queued). state: where the frontier lives
// (nullptr: in memory). Throws what the source or the output throw (the first error of any thread,
// after all have stopped).
void crawl_blocking(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                    std::size_t threads, Interrupt& interrupt, CURLSH* share,
                    CrawlState* state = nullptr);

}  // namespace acrawl::crawler
