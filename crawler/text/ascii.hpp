#pragma once
// ASCII and HTTP byte classes (WHATWG Infra and Fetch definitions), the one set every parser of
// the crawler uses. Locale-independent, unlike <cctype>. The predicates take an int so that a
// char, an unsigned char and a parser's code point (or -1 for its end) all work: only ASCII
// values ever match.

#include <string_view>

namespace acrawl::crawler::ascii {

inline constexpr bool is_ascii_ws(int c) {  // TAB LF FF CR SPACE
  return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20;
}
inline constexpr bool is_http_ws(int c) {  // TAB LF CR SPACE
  return c == '\t' || c == '\n' || c == '\r' || c == ' ';
}
inline constexpr bool is_ascii_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline constexpr bool is_ascii_digit(int c) {
  return c >= '0' && c <= '9';
}
inline constexpr bool is_ascii_alnum(int c) {
  return is_ascii_alpha(c) || is_ascii_digit(c);
}
inline constexpr bool is_hex_digit(int c) {
  return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// The value of a hex digit, -1 for anything else.
inline constexpr int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
inline constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// HTTP token code points (RFC 9110 tchar).
inline constexpr bool is_token_char(char c) {
  if (is_ascii_alnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// HTTP quoted-string token code points: TAB, 0x20-0x7E, 0x80-0xFF.
inline constexpr bool is_quoted_string_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x09 || (u >= 0x20 && u != 0x7F);
}

inline constexpr bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// ASCII case-insensitive equality.
inline constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline constexpr std::string_view trim_ascii_ws(std::string_view s) {
  while (!s.empty() && is_ascii_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_ws(s.back())) s.remove_suffix(1);
  return s;
}

inline constexpr std::string_view trim_http_ws(std::string_view s) {
  while (!s.empty() && is_http_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_http_ws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace acrawl::crawler::ascii
