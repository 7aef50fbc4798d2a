#include "crawler/parse/parse_sitemap.hpp"

#include <spdlog/spdlog.h>

#include <unordered_set>

#include "crawler/parse/page_record.hpp"
#include "crawler/sitemap/sitemap.hpp"

namespace acrawl::crawler {

namespace {

std::vector<Url> resolved(const std::vector<std::string>& locs, const Url* base) {
  std::vector<Url> out;
  out.reserve(locs.size());
  std::unordered_set<std::string> seen;
  for (const std::string& loc : locs) {
    std::optional<Url> url = Url::parse(loc, base);
    if (!url || !url->is_http()) continue;
    if (url->href().find('#') != std::string::npos) {
      url = Url::parse(url->href_without_fragment());
      if (!url) continue;
    }
    if (seen.insert(url->href()).second) out.push_back(std::move(*url));
  }
  return out;
}

}  // namespace

ParsedPage parse_sitemap_response(std::string url, FetchResult result) {
  ParsedPage page;
  const bool cut = result.too_large;  // the body cap: parse what arrived
  std::string body = std::move(result.body);
  page.record = record_without_title(std::move(url), result);
  const PageRecord& rec = page.record;
  if ((!rec.error.empty() && !cut) || rec.status < 200 || rec.status >= 300) {
    // A missing /sitemap.xml is the common case, not worth a warning.
    spdlog::info("sitemap {}: {}", rec.url,
                 rec.error.empty() ? "HTTP " + std::to_string(rec.status) : rec.error);
    return page;
  }
  const Sitemap sitemap = parse_sitemap(body);
  if (cut || sitemap.too_large) {
    spdlog::warn("sitemap {}: larger than 50 MiB: the rest ignored", rec.url);
  }
  if (sitemap.too_many_urls) {
    spdlog::warn("sitemap {}: more than 50,000 URLs: the rest ignored", rec.url);
  }
  if (!sitemap.error.empty()) {
    spdlog::warn("sitemap {}: {} ({} URLs read before it)", rec.url, sitemap.error,
                 sitemap.pages.size() + sitemap.sitemaps.size());
  }
  const std::optional<Url> base = Url::parse(rec.final_url.empty() ? rec.url : rec.final_url);
  page.links = resolved(sitemap.pages, base ? &*base : nullptr);
  page.sitemaps = resolved(sitemap.sitemaps, base ? &*base : nullptr);
  spdlog::debug("sitemap {}: {} pages, {} sitemaps", rec.url, page.links.size(),
                page.sitemaps.size());
  return page;
}

}  // namespace acrawl::crawler
