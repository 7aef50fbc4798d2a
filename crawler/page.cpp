#include "crawler/page.hpp"

#include <cctype>

#include "crawler/charset.hpp"
#include "crawler/errors.hpp"
#include "crawler/html_title.hpp"

namespace acrawl::crawler {

namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string_view mime_essence(std::string_view content_type) noexcept {
  auto semi = content_type.find(';');
  std::string_view essence = content_type.substr(0, semi);
  while (!essence.empty() && std::isspace(static_cast<unsigned char>(essence.front()))) {
    essence.remove_prefix(1);
  }
  while (!essence.empty() && std::isspace(static_cast<unsigned char>(essence.back()))) {
    essence.remove_suffix(1);
  }
  return essence;
}

bool essence_is(std::string_view essence, std::string_view lower) noexcept {
  return essence.size() == lower.size() && iequals_prefix(essence, lower);
}

}  // namespace

bool is_html(std::string_view content_type, std::string_view body) noexcept {
  std::string_view essence = mime_essence(content_type);
  if (!essence.empty()) {
    return essence_is(essence, "text/html") || essence_is(essence, "application/xhtml+xml");
  }
  // No Content-Type: sniff like a browser would for markup (after a BOM and whitespace).
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) {
    body.remove_prefix(1);
  }
  return !body.empty() && body.front() == '<';
}

PageRecord record_without_title(std::string url, FetchResult& result) {
  PageRecord rec;
  rec.url = std::move(url);
  rec.final_url = std::move(result.final_url);
  rec.status = result.status;
  rec.error = std::string(error_word(result.code, result.too_large));
  rec.content_type = std::move(result.content_type);
  rec.bytes = result.bytes;
  rec.elapsed_ms = result.elapsed_ms;
  rec.redirects = result.redirects;
  if (rec.status >= 300 && rec.status < 400) rec.location = std::move(result.redirect_url);
  return rec;
}

bool has_html_body(const PageRecord& rec, const FetchResult& result) noexcept {
  return rec.error.empty() && !result.non_html && is_html(rec.content_type, result.body);
}

PageRecord build_record(std::string url, FetchResult result) {
  PageRecord rec = record_without_title(std::move(url), result);
  if (has_html_body(rec, result)) fill_title(rec, result.body);
  limit_title(rec);
  return rec;
}

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

PageRecord error_record(std::string url, std::string_view error_word) {
  PageRecord rec;
  rec.url = std::move(url);
  rec.error = std::string(error_word);
  return rec;
}

}  // namespace acrawl::crawler
