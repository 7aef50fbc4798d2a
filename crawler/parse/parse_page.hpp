#pragma once
// The parse stage of a recursive crawl (or one with --links): the page's record plus the links
// it offers, from one full parse. Pure and thread-safe: runs on whatever thread parses.

#include <string>
#include <vector>

#include "crawler/fetch/fetch.hpp"
#include "crawler/html/links.hpp"
#include "crawler/output/record.hpp"
#include "crawler/url/url.hpp"

namespace acrawl::crawler {

struct LinkOptions {
  bool respect_nofollow = false;  // drop rel=nofollow links
  bool into_record = false;       // also list them in record.links (--links)
};

struct ParsedPage {
  PageRecord record;
  // <a href> and <area href> resolved against the first <base href> (itself resolved against the
  // final URL) or the final URL; http(s) only, fragment dropped, one per distinct URL, in tree
  // order. Empty when the page is not HTML or failed.
  std::vector<Url> links;
  bool nofollow = false;  // <meta name=robots content="nofollow"> (or "none")
  // A sitemap's: links holds the pages it lists, sitemaps the sitemaps an index lists.
  std::vector<Url> sitemaps;
};

// Like build_record (same record, same title) plus the links. Never throws but bad_alloc.
ParsedPage parse_page(std::string url, FetchResult result, const LinkOptions& options);

// The parse a crawl needs of each page: the title only (build_record: the smallest prefix that
// settles it), or the title and the links (parse_page) when links are followed or recorded.
// A value; calling it is thread-safe. Never throws but bad_alloc.
struct ParseStage {
  bool links = false;
  LinkOptions link_options;
  // sitemap: the response is a sitemap file (parse_sitemap_response), not a page.
  ParsedPage operator()(std::string url, FetchResult result, bool sitemap = false) const;
};

// The links of a parsed page whose address is page_url, as in ParsedPage::links. encoding is
// the document's: queries of the links are encoded into it, as a browser does.
// Never throws but bad_alloc.
std::vector<Url> resolve_links(const PageContent& content, const Url& page_url,
                               bool respect_nofollow, Encoding encoding = Encoding::utf8);

}  // namespace acrawl::crawler
