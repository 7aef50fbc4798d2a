// Sitemaps: any bytes parse (gzip or not); the URL limit holds, every URL kept is trimmed,
// non-empty and at most 8 KiB, and a parse cut short by the limits keeps a prefix of the URLs of
// the full parse.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/sitemap/sitemap.hpp"

using acrawl::crawler::parse_sitemap;
using acrawl::crawler::Sitemap;
using acrawl::crawler::SitemapLimits;

namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool starts_with_http(std::string_view url) {
  std::string lower(url.substr(0, 8));
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return lower.starts_with("http://") || lower.starts_with("https://");
}

void check_urls(const std::vector<std::string>& urls) {
  for (const std::string& url : urls) {
    if (url.empty() || url.size() > 8 * 1024 || is_ws(url.front()) || is_ws(url.back())) {
      std::abort();
    }
  }
}

void check(const Sitemap& s, const SitemapLimits& limits) {
  const std::size_t count = s.pages.size() + s.sitemaps.size();
  if (count > limits.max_urls) std::abort();
  if (s.too_many_urls && count != limits.max_urls) std::abort();
  if (!s.sitemaps.empty() && s.kind != Sitemap::Kind::index) std::abort();
  if (!s.pages.empty() && (s.kind == Sitemap::Kind::index || s.kind == Sitemap::Kind::unknown)) {
    std::abort();
  }
  check_urls(s.pages);
  check_urls(s.sitemaps);
  if (s.kind == Sitemap::Kind::text) {
    for (const std::string& url : s.pages) {
      if (!starts_with_http(url)) std::abort();
    }
  }
}

bool is_prefix(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  if (part.size() > whole.size()) return false;
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] != whole[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const SitemapLimits defaults;
  const Sitemap full = parse_sitemap(body, defaults);
  check(full, defaults);

  // Limits that bite: a few URLs, and a cut somewhere in the (decompressed) bytes.
  const SitemapLimits small{.max_urls = 3, .max_bytes = size / 2};
  const Sitemap cut = parse_sitemap(body, small);
  check(cut, small);
  if (!is_prefix(cut.pages, full.pages) || !is_prefix(cut.sitemaps, full.sitemaps)) std::abort();
  const bool gzip = size >= 2 && data[0] == 0x1F && data[1] == 0x8B;
  if (!gzip && cut.too_large && size <= small.max_bytes) std::abort();
  return 0;
}
