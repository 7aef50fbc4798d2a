#pragma once
// ASCII and HTTP byte classes shared by the MIME and <meta> parsers (WHATWG definitions).

#include <string_view>

namespace acrawl::crawler::ascii {

// ---------------------------------------------------------------------------------------------
// Byte classes and small helpers.

inline constexpr bool is_ascii_ws(unsigned char c) {  // TAB LF FF CR SPACE
  return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20;
}
inline constexpr bool is_http_ws(char c) {
  return c == '\t' || c == '\n' || c == '\r' || c == ' ';
}
inline constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline constexpr bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

inline constexpr bool is_token_char(char c) {
  if ((c >= '0' && c <= '9') || is_ascii_alpha(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// HTTP quoted-string token code points: TAB, 0x20-0x7E, 0x80-0xFF.
inline constexpr bool is_quoted_string_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x09 || (u >= 0x20 && u != 0x7F);
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline std::string_view trim_http_ws(std::string_view s) {
  while (!s.empty() && is_http_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_http_ws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace acrawl::crawler::ascii
