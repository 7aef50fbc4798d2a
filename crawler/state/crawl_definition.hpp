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

// How stored differs from current, one line per option ("--depth: 2 in the state, 3 now");
// empty when they agree.
std::vector<std::string> definition_differences(const CrawlDefinition& stored,
                                                const CrawlDefinition& current);

}  // namespace acrawl::crawler
