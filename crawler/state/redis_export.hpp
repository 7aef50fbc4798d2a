#pragma once
// `acrawl export redis://... --crawl-id NAME`: every record of a crawl kept in Redis, each URL
// once (a completion and its record are one atomic step, guarded by its lease), in the order
// they were committed, whether the crawl has finished or not.

#include <cstdint>
#include <cstdio>
#include <string>

#include "crawler/config.hpp"

namespace acrawl::crawler {

// Throws StateError (Redis unreachable, no such crawl), OutputError (out cannot be written).
std::int64_t export_redis(const std::string& url, const std::string& crawl_id, OutputFormat format,
                          std::FILE* out);

}  // namespace acrawl::crawler
