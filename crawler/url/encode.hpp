#pragma once
// Percent-encoding for the URL parser (WHATWG URL Standard, "Percent-encoded bytes").
// Internal to crawler/url*.cpp. The parser works on UTF-8 bytes: every byte >= 0x80 is in every
// set, so encoding byte by byte equals the standard's "UTF-8 percent-encode" of code points.

#include <cstdint>
#include <string>
#include <string_view>

namespace acrawl::crawler::url_detail {

// The standard's percent-encode sets. The path set is the one of the web-platform-tests data this
// parser is tested against (query set + ? ` { }); the 2025 standard also adds ^.
enum class EncodeSet : std::uint8_t {
  c0_control,
  fragment,
  query,
  special_query,
  path,
  userinfo,
  component,
};

// True when byte c is in `set`. Never throws; thread-safe.
bool in_encode_set(unsigned char c, EncodeSet set) noexcept;

// Appends c, or "%XX" (upper-case hex) when c is in `set`. Throws only std::bad_alloc.
void append_encoded(std::string& out, char c, EncodeSet set);

// Appends every byte of s as by append_encoded. Throws only std::bad_alloc.
void append_encoded(std::string& out, std::string_view s, EncodeSet set);

// The standard's percent-decode: "%XX" with two hex digits becomes that byte; any other '%' is
// kept. Throws only std::bad_alloc.
std::string percent_decode(std::string_view s);

}  // namespace acrawl::crawler::url_detail
