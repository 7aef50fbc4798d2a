#pragma once

// Encoding sniffing (HTML spec "determining the character encoding") and transcoding of response
// bodies to UTF-8.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/text/encoding_labels.hpp"
#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {

// Where decode_html found the encoding it used.
enum class EncodingSource : std::uint8_t { bom, header, meta, detected, fallback };

// "bom", "header", "meta", "detected", "default" (for fallback); "" for a value outside the enum.
std::string_view source_name(EncodingSource s) noexcept;

// The encoding named by the charset parameter of a Content-Type header value (Fetch "extract a
// MIME type" + MIME Sniffing "parse a MIME type": quoted or not, any case, any position; several
// comma-separated types use the last valid one). Returns nullopt when the value is not a valid
// MIME type, has no charset, or the charset is not a WHATWG label. Never throws; thread-safe.
std::optional<Encoding> charset_from_content_type(std::string_view content_type) noexcept;

// The HTML spec's "prescan a byte stream to determine its encoding" over at most the first 1024
// bytes, including its UTF-16 `<?x` check and "get an XML encoding" fallback. A <meta>-declared
// UTF-16BE/LE becomes UTF-8 and x-user-defined becomes windows-1252, as the spec says. Returns
// nullopt when nothing usable is declared. Never throws; thread-safe.
std::optional<Encoding> prescan_for_meta_charset(std::string_view bytes) noexcept;

struct Sniffed {
  Encoding encoding;
  EncodingSource source;
  std::size_t bom_length;  // bytes of byte order mark at the start of the body
};

// The HTML spec's sniffing order: BOM, then the Content-Type charset, then the <meta> prescan,
// then UTF-8 if the undeclared body is valid non-ASCII UTF-8 (a cut-off last character
// allowed), else windows-1252. Never throws; thread-safe.
Sniffed sniff_encoding(std::string_view body, std::string_view content_type) noexcept;

// The same for a body of which only `head` was kept (its first 1024 bytes at least, for the
// prescan), every byte of it having been fed to `whole`. Never throws; thread-safe.
Sniffed sniff_encoding(std::string_view head, std::string_view content_type,
                       const Utf8Stream& whole) noexcept;

// True when the ASCII bytes of markup ('<', '/', '>' and the letters of tag names) stand for
// themselves in every byte sequence of enc, so markup can be found before decoding. False for
// UTF-16 and ISO-2022-JP (whose two-byte characters use ASCII bytes) and for replacement.
bool markup_is_ascii(Encoding enc) noexcept;

struct DecodedHtml {
  std::string utf8;  // always valid UTF-8, byte order mark removed
  Encoding encoding;
  EncodingSource source;
};

// Sniffs the body's encoding (BOM, then the Content-Type charset, then the <meta> prescan, then
// UTF-8 if the undeclared body is valid non-ASCII UTF-8, else windows-1252) and decodes it.
// Throws only std::bad_alloc; thread-safe.
DecodedHtml decode_html(std::string_view body, std::string_view content_type);

// Decodes bytes in the given encoding; malformed input becomes U+FFFD, a leading BOM is kept as
// U+FEFF. The result is always valid UTF-8. Throws only std::bad_alloc; thread-safe (converter
// state is per thread).
std::string decode_to_utf8(std::string_view bytes, Encoding enc);

// The URL Standard's "percent-encode after encoding": valid UTF-8 text encoded into enc (UTF-8
// for UTF-16 and replacement: their output encoding), each byte for which in_set is true as
// "%XX", each code point enc cannot represent as "%26%23<decimal>%3B". Throws only
// std::bad_alloc; thread-safe (converter state is per thread).
std::string percent_encode_after_encoding(std::string_view utf8, Encoding enc,
                                          bool (*in_set)(unsigned char));

}  // namespace acrawl::crawler
