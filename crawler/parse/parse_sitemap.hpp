#pragma once
// The parse stage of a sitemap file (--sitemaps): the pages and the child sitemaps it lists,
// as URLs, with a warning on stderr for what was cut or could not be read.

#include <string>

#include "crawler/fetch/fetch.hpp"
#include "crawler/parse/parse_page.hpp"

namespace acrawl::crawler {

// url: the sitemap's address (the record's url field). The record describes the transfer; links
// holds the listed pages, sitemaps the listed sitemaps (an index), both resolved against the
// final URL (the standard wants absolute ones), http(s) only, fragments dropped, each once.
// Nothing for a failed transfer or a status other than 2xx. Never throws but bad_alloc.
ParsedPage parse_sitemap_response(std::string url, FetchResult result);

}  // namespace acrawl::crawler
