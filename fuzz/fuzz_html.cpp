// HTML: the fast link scan agrees with gumbo's tree wherever it answers, and the title from
// the settling prefix equals the full parse's.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "crawler/html_links.hpp"
#include "crawler/html_scan.hpp"
#include "crawler/html_title.hpp"
#include "crawler/page.hpp"
#include "crawler/utf8.hpp"

using namespace acrawl::crawler;

namespace {

// What the crawl uses: base, robots meta, link targets with and without nofollow ones.
std::string describe(const PageContent& p) {
  std::set<std::string> all, followable;
  for (const RawLink& l : p.links) {
    all.insert(l.href);
    if (!l.nofollow) followable.insert(l.href);
  }
  std::string out = (p.base_href ? "b:" + *p.base_href : std::string("-")) +
                    (p.meta_nofollow ? "N" : "n") + (p.meta_noindex ? "I" : "i");
  for (const std::string& l : all) out += "\n" + l + (followable.count(l) ? "" : " nf");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string html =
      sanitize_utf8(std::string_view(reinterpret_cast<const char*>(data), size));
  const PageContent full = extract_page(html);
  if (std::optional<PageContent> fast = scan_links(html)) {
    if (describe(*fast) != describe(full)) std::abort();
  }
  PageRecord rec;
  rec.content_type = "text/html; charset=utf-8";
  fill_title(rec, html);
  if (rec.title != full.title.value_or("")) std::abort();
  return 0;
}
