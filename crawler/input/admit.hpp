#pragma once
// admit: the first look every mode takes at an input URL before fetching it.

#include <optional>

#include "crawler/input/url_source.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

// nullopt when item may be fetched; otherwise its record (invalid_url or unsupported_scheme),
// after a warning naming where the line came from. Never throws but bad_alloc.
std::optional<PageRecord> refuse(const InputItem& item);

}  // namespace acrawl::crawler
