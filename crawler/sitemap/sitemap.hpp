#pragma once

// Sitemaps (sitemaps.org): the page URLs of a urlset, the child sitemaps of an index, and the two
// other forms the protocol allows, a text file of URLs and an RSS 2.0 or Atom feed. The body may
// be gzip-compressed (a .xml.gz); it is inflated and parsed in chunks, never held whole, under
// the protocol's per-file limits. Hostile files are refused cheaply: no DTD entity is ever
// expanded and nothing external is ever loaded.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace acrawl::crawler {

// sitemaps.org's limits per file.
struct SitemapLimits {
  std::size_t max_urls = 50'000;             // <loc>s kept per file; the rest ignored
  std::size_t max_bytes = 50 * 1024 * 1024;  // decompressed bytes read per file; the rest ignored
};

struct Sitemap {
  enum class Kind { unknown, urlset, index, text, feed };
  Kind kind = Kind::unknown;
  std::vector<std::string> pages;     // page URLs, in file order, as written (trimmed), unresolved
  std::vector<std::string> sitemaps;  // of an index: the child sitemaps' URLs
  bool too_many_urls = false;         // max_urls reached: the rest ignored
  bool too_large = false;             // max_bytes reached: the rest ignored
  std::string error;  // why parsing stopped early (malformed XML, a DTD entity, bad gzip); what
                      // came before it is kept
};

// Parses one sitemap file: gzip (by its magic bytes) or not; XML (urlset, sitemapindex, RSS 2.0
// <item><link>, Atom <entry><link href>) when it starts with '<' after a UTF-8 BOM and
// whitespace, else text (one http(s) URL a line). Elements are matched by local name in the
// root's namespace or none, whatever namespace that is (many real sitemaps use a wrong one); only
// a <loc> directly inside <url> or <sitemap> counts, so image:loc, video:loc and xhtml:link do
// not. A URL is trimmed; empty ones and ones over 8 KiB are skipped. A file that declares any
// DTD entity is refused (error set, nothing kept). Any bytes are acceptable input.
// Never throws but std::bad_alloc; thread-safe.
Sitemap parse_sitemap(std::string_view body, const SitemapLimits& limits = {});

}  // namespace acrawl::crawler
