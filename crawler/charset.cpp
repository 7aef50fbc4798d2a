// Determining a page's encoding (the HTML spec's sniffing order) and decoding it.
#include "crawler/charset.hpp"

#include "crawler/utf8.hpp"

namespace acrawl::crawler {

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

DecodedHtml decode_html(std::string_view body, std::string_view content_type) {
  using namespace std::string_view_literals;
  Encoding enc = Encoding::windows_1252;
  EncodingSource source = EncodingSource::fallback;
  std::string_view rest = body;
  if (body.substr(0, 3) == "\xEF\xBB\xBF"sv) {
    enc = Encoding::utf8;
    source = EncodingSource::bom;
    rest.remove_prefix(3);
  } else if (body.substr(0, 2) == "\xFE\xFF"sv) {
    enc = Encoding::utf16be;
    source = EncodingSource::bom;
    rest.remove_prefix(2);
  } else if (body.substr(0, 2) == "\xFF\xFE"sv) {
    enc = Encoding::utf16le;
    source = EncodingSource::bom;
    rest.remove_prefix(2);
  } else if (const auto header = charset_from_content_type(content_type)) {
    enc = *header;
    source = EncodingSource::header;
  } else if (const auto meta = prescan_for_meta_charset(body)) {
    enc = *meta;
    source = EncodingSource::meta;
  } else if (ascii_prefix_length(body) < body.size() && is_valid_utf8_prefix(body)) {
    enc = Encoding::utf8;
    source = EncodingSource::detected;
  }
  return DecodedHtml{decode_to_utf8(rest, enc), enc, source};
}

}  // namespace acrawl::crawler
