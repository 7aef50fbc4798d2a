#pragma once

// The WHATWG Encoding Standard's encodings and their labels
// (https://encoding.spec.whatwg.org/#names-and-labels).

#include <cstdint>
#include <optional>
#include <string_view>

namespace acrawl::crawler {

// Every encoding of the Encoding Standard, in the standard's table order.
enum class Encoding : std::uint8_t {
  utf8,
  ibm866,
  iso_8859_2,
  iso_8859_3,
  iso_8859_4,
  iso_8859_5,
  iso_8859_6,
  iso_8859_7,
  iso_8859_8,
  iso_8859_8_i,
  iso_8859_10,
  iso_8859_13,
  iso_8859_14,
  iso_8859_15,
  iso_8859_16,
  koi8_r,
  koi8_u,
  macintosh,
  windows_874,
  windows_1250,
  windows_1251,
  windows_1252,
  windows_1253,
  windows_1254,
  windows_1255,
  windows_1256,
  windows_1257,
  windows_1258,
  x_mac_cyrillic,
  gbk,
  gb18030,
  big5,
  euc_jp,
  iso_2022_jp,
  shift_jis,
  euc_kr,
  replacement,
  utf16be,
  utf16le,
  x_user_defined,
};

inline constexpr std::size_t kEncodingCount =
    static_cast<std::size_t>(Encoding::x_user_defined) + 1;

// WHATWG "get an encoding": strips leading and trailing ASCII whitespace, then matches the label
// ASCII case-insensitively against every label of the standard. Returns nullopt for an unknown
// label (including the empty string). Never throws; thread-safe.
std::optional<Encoding> encoding_for_label(std::string_view label) noexcept;

// The encoding's canonical WHATWG name ("UTF-8", "windows-1252", "Shift_JIS", "GBK", ...).
// Returns "" for a value outside the enum. Never throws; thread-safe.
std::string_view encoding_name(Encoding e) noexcept;

}  // namespace acrawl::crawler
