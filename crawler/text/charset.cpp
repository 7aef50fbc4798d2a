// Determining a page's encoding (the HTML spec's sniffing order) and decoding it.
#include "crawler/text/charset.hpp"

#include "crawler/text/mime.hpp"
#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {

std::optional<Encoding> charset_from_content_type(std::string_view content_type) noexcept {
  const std::optional<MimeType> mime = extract_mime_type(content_type);
  return mime ? mime->charset : std::nullopt;
}

std::string_view source_name(EncodingSource s) noexcept {
  switch (s) {
    case EncodingSource::bom:
      return "bom";
    case EncodingSource::header:
      return "header";
    case EncodingSource::meta:
      return "meta";
    case EncodingSource::detected:
      return "detected";
    case EncodingSource::fallback:
      return "default";
  }
  return {};
}

namespace {

// The sniffing order up to the <meta> prescan; nullopt: undeclared.
std::optional<Sniffed> declared_encoding(std::string_view body,
                                         std::string_view content_type) noexcept {
  using namespace std::string_view_literals;
  if (body.substr(0, 3) == "\xEF\xBB\xBF"sv) return Sniffed{Encoding::utf8, EncodingSource::bom, 3};
  if (body.substr(0, 2) == "\xFE\xFF"sv) return Sniffed{Encoding::utf16be, EncodingSource::bom, 2};
  if (body.substr(0, 2) == "\xFF\xFE"sv) return Sniffed{Encoding::utf16le, EncodingSource::bom, 2};
  if (const auto header = charset_from_content_type(content_type)) {
    return Sniffed{*header, EncodingSource::header, 0};
  }
  if (const auto meta = prescan_for_meta_charset(body)) {
    return Sniffed{*meta, EncodingSource::meta, 0};
  }
  return std::nullopt;
}

Sniffed undeclared(bool valid_non_ascii_utf8) noexcept {
  if (valid_non_ascii_utf8) return {Encoding::utf8, EncodingSource::detected, 0};
  return {Encoding::windows_1252, EncodingSource::fallback, 0};
}

}  // namespace

Sniffed sniff_encoding(std::string_view body, std::string_view content_type) noexcept {
  if (const auto declared = declared_encoding(body, content_type)) return *declared;
  return undeclared(ascii_prefix_length(body) < body.size() && is_valid_utf8_prefix(body));
}

Sniffed sniff_encoding(std::string_view head, std::string_view content_type,
                       const Utf8Stream& whole) noexcept {
  if (const auto declared = declared_encoding(head, content_type)) return *declared;
  return undeclared(whole.non_ascii() && whole.valid());
}

bool markup_is_ascii(Encoding enc) noexcept {
  return enc != Encoding::utf16be && enc != Encoding::utf16le && enc != Encoding::iso_2022_jp &&
         enc != Encoding::replacement;
}

DecodedHtml decode_html(std::string_view body, std::string_view content_type) {
  const Sniffed s = sniff_encoding(body, content_type);
  return DecodedHtml{decode_to_utf8(body.substr(s.bom_length), s.encoding), s.encoding, s.source};
}

}  // namespace acrawl::crawler
