#pragma once
// How a crawl kept in Redis stores its items and records (docs/DISTRIBUTED.md): an item as
// "kind\tid\tdepth\tattempt\torigin\turl\trecord\thost" (the claim script reads the origin,
// the fifth field), a record as the field/value pairs of a stream entry.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crawler/frontier/crawl_item.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

using RedisFields = std::vector<std::pair<std::string, std::string>>;

// Never throws but std::bad_alloc.
std::string encode_item(const CrawlItem& item, std::int64_t id);
// The inverse of encode_item (id into item.id). Throws StateError for text that is no item.
CrawlItem decode_item(const std::string& text);

// links: the record's links are kept (--links). Never throws but std::bad_alloc.
RedisFields encode_record(const PageRecord& record, bool links);
// The inverse of encode_record; unknown fields are skipped. Never throws but std::bad_alloc.
PageRecord decode_record(const RedisFields& fields);

}  // namespace acrawl::crawler
