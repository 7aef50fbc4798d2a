#include "crawler/sitemap/entries.hpp"

namespace acrawl::crawler::sitemap_detail {

bool add_entry(Sitemap& out, Entry entry, std::string_view url, std::size_t max_urls) {
  if (out.pages.size() + out.sitemaps.size() >= max_urls) {
    out.too_many_urls = true;
    return false;
  }
  (entry == Entry::page ? out.pages : out.sitemaps).emplace_back(url);
  return true;
}

}  // namespace acrawl::crawler::sitemap_detail
