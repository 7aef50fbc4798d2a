#include "crawler/url/encode.hpp"

#include "crawler/text/ascii.hpp"

#include <array>

namespace acrawl::crawler::url_detail {

using namespace ascii;

namespace {

// One bit per EncodeSet, so membership is a single table lookup.
constexpr std::uint8_t bit(EncodeSet s) {
  return static_cast<std::uint8_t>(1u << static_cast<int>(s));
}

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint8_t bits) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= bits;
  };
  constexpr std::uint8_t all = bit(EncodeSet::c0_control) | bit(EncodeSet::fragment) |
                               bit(EncodeSet::query) | bit(EncodeSet::special_query) |
                               bit(EncodeSet::path) | bit(EncodeSet::userinfo) |
                               bit(EncodeSet::component);
  for (int c = 0; c < 256; ++c) {
    if (c < 0x20 || c > 0x7E) t[static_cast<std::size_t>(c)] = all;  // C0 controls and non-ASCII
  }
  constexpr std::uint8_t from_query = bit(EncodeSet::query) | bit(EncodeSet::special_query) |
                                      bit(EncodeSet::path) | bit(EncodeSet::userinfo) |
                                      bit(EncodeSet::component);
  constexpr std::uint8_t from_path =
      bit(EncodeSet::path) | bit(EncodeSet::userinfo) | bit(EncodeSet::component);
  constexpr std::uint8_t from_userinfo = bit(EncodeSet::userinfo) | bit(EncodeSet::component);
  add(" \"<>`", bit(EncodeSet::fragment));
  add(" \"#<>", from_query);
  add("'", bit(EncodeSet::special_query));
  add("?`{}", from_path);
  add("/:;=@[\\]^|", from_userinfo);
  add("$%&+,", bit(EncodeSet::component));
  return t;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();
constexpr char kHex[] = "0123456789ABCDEF";

}  // namespace

bool in_encode_set(unsigned char c, EncodeSet set) noexcept {
  return (kTable[c] & bit(set)) != 0;
}

void append_encoded(std::string& out, char c, EncodeSet set) {
  const auto u = static_cast<unsigned char>(c);
  if (!in_encode_set(u, set)) {
    out.push_back(c);
    return;
  }
  const char esc[3] = {'%', kHex[u >> 4], kHex[u & 0xF]};
  out.append(esc, 3);
}

void append_encoded(std::string& out, std::string_view s, EncodeSet set) {
  for (char c : s) append_encoded(out, c, set);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex_digit(s[i + 1]) && is_hex_digit(s[i + 2])) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace acrawl::crawler::url_detail
