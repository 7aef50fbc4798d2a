#pragma once
// Adding one URL to a Sitemap under the per-file count limit, the same for every format.

#include <cstddef>
#include <string_view>

#include "crawler/sitemap/sitemap.hpp"

namespace acrawl::crawler::sitemap_detail {

enum class Entry { page, sitemap };

// Adds `url` (non-empty, already trimmed) to out.pages or out.sitemaps. When max_urls entries are
// already there it adds nothing, sets out.too_many_urls and returns false: the caller stops
// reading. Only a URL that does not fit sets the flag, so a file of exactly max_urls is complete.
// Throws only std::bad_alloc.
bool add_entry(Sitemap& out, Entry entry, std::string_view url, std::size_t max_urls);

}  // namespace acrawl::crawler::sitemap_detail
