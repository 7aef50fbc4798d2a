// HTML: the fast link scan agrees with gumbo's tree wherever it answers, and the title from
// the settling prefix equals the full parse's.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawler/html/links.hpp"
#include "crawler/html/scan.hpp"
#include "crawler/html/title.hpp"
#include "crawler/parse/page_record.hpp"
#include "crawler/parse/page_title.hpp"
#include "crawler/text/utf8.hpp"
#include "tests/support/page_content_summary.hpp"

using namespace acrawl::crawler;

namespace {

std::string describe(const PageContent& p) {
  return acrawl::test::page_content_summary(p);
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
