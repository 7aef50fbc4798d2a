#include "crawler/parse/parse_page.hpp"

#include <unordered_set>

#include "crawler/html/scan.hpp"
#include "crawler/parse/page_record.hpp"
#include "crawler/parse/page_title.hpp"
#include "crawler/parse/parse_sitemap.hpp"
#include "crawler/text/charset.hpp"

namespace acrawl::crawler {

namespace {

// The URL without its fragment ('#' appears in a serialization only as the fragment's start).
std::optional<Url> without_fragment(std::optional<Url> url) {
  if (!url || url->href().find('#') == std::string::npos) return url;
  return Url::parse(url->href_without_fragment());
}

}  // namespace

std::vector<Url> resolve_links(const PageContent& content, const Url& page_url,
                               bool respect_nofollow, Encoding encoding) {
  std::optional<Url> base_storage;
  const Url* base = &page_url;
  if (content.base_href) {
    base_storage = Url::parse(*content.base_href, &page_url, encoding);
    if (base_storage) base = &*base_storage;
  }
  std::vector<Url> links;
  std::unordered_set<std::string_view> seen;
  links.reserve(content.links.size());
  for (const RawLink& raw : content.links) {
    if (respect_nofollow && raw.nofollow) continue;
    std::optional<Url> url = without_fragment(Url::parse(raw.href, base, encoding));
    if (!url || !url->is_http()) continue;
    links.push_back(std::move(*url));
    // Views into the vector's strings would dangle on reallocation: reserve() above prevents it.
    if (!seen.insert(links.back().href()).second) links.pop_back();
  }
  return links;
}

ParsedPage parse_page(std::string url, FetchResult result, const LinkOptions& options) {
  ParsedPage page;
  PageRecord& rec = page.record;
  rec = record_without_title(std::move(url), result);
  if (options.into_record) rec.links.emplace();
  if (!has_html_body(rec, result)) return page;
  const Sniffed sniffed = sniff_encoding(result.body, rec.content_type);
  const std::string utf8 =
      decode_to_utf8(std::string_view(result.body).substr(sniffed.bom_length), sniffed.encoding);
  // The tokenizer-only scan when it can answer, and the title from its settling prefix; one
  // full gumbo parse for both otherwise.
  PageContent content;
  if (std::optional<PageContent> fast = scan_links(utf8)) {
    content = std::move(*fast);
    fill_title(rec, result.body, sniffed);
  } else {
    content = extract_page(utf8);
    rec.encoding = std::string(encoding_name(sniffed.encoding));
    rec.encoding_source = std::string(source_name(sniffed.source));
    rec.title = content.title.value_or("");  // document.title is "" without a title element
  }
  limit_title(rec);
  page.nofollow = content.meta_nofollow;
  if (std::optional<Url> page_url = Url::parse(rec.final_url)) {
    page.links = resolve_links(content, *page_url, options.respect_nofollow, sniffed.encoding);
  }
  if (options.into_record) {
    rec.links->reserve(page.links.size());
    for (const Url& link : page.links) rec.links->push_back(link.href());
  }
  return page;
}

ParsedPage ParseStage::operator()(std::string url, FetchResult result, bool sitemap) const {
  if (sitemap) return parse_sitemap_response(std::move(url), std::move(result));
  if (links) return parse_page(std::move(url), std::move(result), link_options);
  return ParsedPage{build_record(std::move(url), std::move(result)), {}, false, {}};
}

}  // namespace acrawl::crawler
