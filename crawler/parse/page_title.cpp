#include "crawler/parse/page_title.hpp"

#include "crawler/html/title.hpp"

namespace acrawl::crawler {

void limit_title(PageRecord& rec) noexcept {
  if (!rec.title || rec.title->size() <= kMaxTitleChars) return;  // bytes >= characters
  std::size_t chars = 0;
  for (std::size_t i = 0; i < rec.title->size(); ++i) {
    const auto b = static_cast<unsigned char>((*rec.title)[i]);
    if ((b & 0xC0) != 0x80 && chars++ == kMaxTitleChars) {  // the first byte of char 1025
      rec.title->resize(i);
      return;
    }
  }
}

void fill_title(PageRecord& rec, std::string_view body) {
  fill_title(rec, body, sniff_encoding(body, rec.content_type));
}

void fill_title(PageRecord& rec, std::string_view body, const Sniffed& sniffed) {
  rec.encoding = std::string(encoding_name(sniffed.encoding));
  rec.encoding_source = std::string(source_name(sniffed.source));
  const std::string_view content = body.substr(sniffed.bom_length);
  // Decode and parse only the prefix that settles the title, when it does (most pages): the
  // full parse is the crawl's CPU bound.
  if (markup_is_ascii(sniffed.encoding)) {
    std::size_t after = 0;
    for (int attempt = 0; attempt < kPrefixAttempts; ++attempt) {
      const std::string_view raw = title_settling_prefix(content, after);
      if (raw.empty() || raw.size() >= content.size()) break;
      if (auto title = title_if_settled(decode_to_utf8(raw, sniffed.encoding))) {
        rec.title = std::move(title);
        return;
      }
      after = raw.size();
    }
  }
  // document.title is "" without a title element.
  rec.title = extract_title_full(decode_to_utf8(content, sniffed.encoding)).value_or("");
}

}  // namespace acrawl::crawler
