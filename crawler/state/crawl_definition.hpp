#pragma once
// What makes two runs the same crawl, as name/value pairs stored with the state: the options
// that change which URLs are crawled or what the output file holds. Concurrency, timeouts,
// politeness and the mode may change between runs; these may not.

#include <string>
#include <utility>
#include <vector>

#include "crawler/config.hpp"

namespace acrawl::crawler {

using CrawlDefinition = std::vector<std::pair<std::string, std::string>>;

// Names are the command-line options ("--depth"), values their canonical text.
CrawlDefinition crawl_definition(const CrawlConfig& config);

// A crawl shared in Redis: the same, less what is each worker's own (--output, --format), plus
// the politeness every worker must apply alike (--delay, --per-host).
CrawlDefinition redis_definition(const CrawlConfig& config);

// The crawl id of a Redis crawl given none: derived from its definition and its inputs as
// given, so that the same command on every worker names the same crawl. Never throws but
// std::bad_alloc.
std::string default_crawl_id(const CrawlConfig& config, const CrawlDefinition& definition);

// How stored differs from current, one line per option ("--depth: 2 in the state, 3 now");
// empty when they agree.
std::vector<std::string> definition_differences(const CrawlDefinition& stored,
                                                const CrawlDefinition& current);

}  // namespace acrawl::crawler
