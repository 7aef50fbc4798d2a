#pragma once
// The async mode: one loop thread. Bounded-concurrency fetch tasks over curl's multi interface
// push responses into a bounded queue; parser workers pop them and run decoding and parsing on
// a thread pool; records go to the output. All inside one scope: an error or a signal cancels
// everything. The crawl's logic is the CrawlDriver's; this file only schedules it.

#include <curl/curl.h>

#include "crawler/config.hpp"
#include "crawler/crawl/interrupt.hpp"
#include "crawler/frontier/crawl_state.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/output/output.hpp"

namespace acrawl::crawler {

// Writes one record per URL of source to output. At the first signal (interrupt) it stops:
// transfers under way and responses not yet parsed get a `cancelled` record, input URLs still
// queued too; URLs not yet read get none (a durable state keeps all of them queued). state:
// where the frontier lives (nullptr: in memory). share: the DNS, TLS session and cookie caches
// every transfer uses (see SharedCaches; it must outlive the call). Throws what the source or
// the output throw (InputError, std::system_error).
void crawl_async(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
                 Interrupt& interrupt, CURLSH* share, CrawlState* state = nullptr);

}  // namespace acrawl::crawler
