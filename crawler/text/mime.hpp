#pragma once
// Content-Type: the MIME Sniffing standard's "parse a MIME type" and Fetch's "extract a MIME
// type", reduced to what a crawler needs (the essence and the charset parameter), and whether a
// response is HTML.

#include <optional>
#include <string_view>

#include "crawler/text/encoding_labels.hpp"

namespace acrawl::crawler {

struct MimeType {
  std::string_view type;            // as written: compare ASCII case-insensitively
  std::string_view subtype;         // as written
  bool has_charset = false;         // a charset parameter was present
  std::optional<Encoding> charset;  // its encoding; nullopt when absent or not a WHATWG label
};

// MIME Sniffing "parse a MIME type" of one value; nullopt when it is not a valid MIME type.
// The views point into input. Never throws; thread-safe.
std::optional<MimeType> parse_mime_type(std::string_view input) noexcept;

// Fetch "extract a MIME type" of a Content-Type header value (comma-separated values: the last
// valid one, with the charset of an earlier value of the same essence carried over); nullopt
// when no value is a valid MIME type. Never throws; thread-safe.
std::optional<MimeType> extract_mime_type(std::string_view content_type) noexcept;

// What the Content-Type alone says: true for text/html and application/xhtml+xml, false for
// any other valid type, nullopt when it is absent or not a valid MIME type (then the body
// decides). Never throws.
std::optional<bool> content_type_is_html(std::string_view content_type) noexcept;

// True when the Content-Type names HTML, or says nothing usable and the body starts like markup
// (after a byte order mark and whitespace), as a browser sniffs. Never throws.
bool is_html(std::string_view content_type, std::string_view body) noexcept;

}  // namespace acrawl::crawler
