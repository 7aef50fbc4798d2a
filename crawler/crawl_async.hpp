#pragma once
// The async mode: one loop thread; bounded-concurrency fetch tasks over curl's multi interface.

#include "crawler/config.hpp"
#include "crawler/crawl.hpp"
#include "crawler/input.hpp"
#include "crawler/sink.hpp"

namespace acrawl::crawler {

// Fetches every URL of source with at most config.concurrency transfers in flight and writes
// one record per URL to sink. Throws what the source or the sink throw.
CrawlSummary crawl_async(const CrawlConfig& config, UrlSource& source, RecordSink& sink);

}  // namespace acrawl::crawler
