#include "crawler/sitemap/sitemap.hpp"

#include <algorithm>
#include <utility>

#include "crawler/sitemap/gunzip.hpp"
#include "crawler/sitemap/sitemap_stream.hpp"

namespace acrawl::crawler {

Sitemap parse_sitemap(std::string_view body, const SitemapLimits& limits) {
  using namespace sitemap_detail;
  Sitemap out;
  SitemapStream stream(out, limits);
  if (is_gzip(body)) {
    GunzipEnd end = gunzip(body, [&](std::string_view chunk) { return stream.write(chunk); });
    if (end.stopped) return out;
    if (!end.error.empty()) {
      // What inflated before the damage is kept; the document is not judged unfinished.
      out.error = std::move(end.error);
      return out;
    }
  } else {
    // In chunks like inflated bodies: expat copies what it is given into its own buffer.
    while (!body.empty()) {
      const std::size_t n = std::min(body.size(), kGunzipChunk);
      if (!stream.write(body.substr(0, n))) return out;
      body.remove_prefix(n);
    }
  }
  stream.finish();
  return out;
}

}  // namespace acrawl::crawler
