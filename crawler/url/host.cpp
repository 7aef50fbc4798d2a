#include "crawler/url/host.hpp"

#include <idn2.h>

#include <array>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "crawler/text/ascii.hpp"
#include "crawler/text/utf8.hpp"
#include "crawler/url/encode.hpp"

namespace acrawl::crawler::url_detail {

using namespace ascii;

namespace {

constexpr bool is_forbidden_host_byte(unsigned char c) {
  switch (c) {
    case 0x00:
    case 0x09:
    case 0x0A:
    case 0x0D:
    case ' ':
    case '#':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '|':
      return true;
    default:
      return false;
  }
}

constexpr bool is_forbidden_domain_byte(unsigned char c) {
  return is_forbidden_host_byte(c) || c <= 0x1F || c == '%' || c == 0x7F;
}

bool starts_with_xn(std::string_view label) {
  return label.size() >= 4 && ascii_lower(label[0]) == 'x' && ascii_lower(label[1]) == 'n' &&
         label[2] == '-' && label[3] == '-';
}

// ---------------------------------------------------------------------------------------------
// IPv4

// The IPv4 number parser; values above 2^32 saturate (they fail either way).
std::optional<std::uint64_t> ipv4_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    radix = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    radix = 8;
    s.remove_prefix(1);
  }
  std::uint64_t value = 0;
  for (char c : s) {
    const int d = hex_value(c);
    if (d < 0 || d >= radix) return std::nullopt;
    value = value * static_cast<std::uint64_t>(radix) + static_cast<std::uint64_t>(d);
    if (value > (std::uint64_t{1} << 33)) value = std::uint64_t{1} << 33;
  }
  return value;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

bool ends_in_a_number(std::string_view s) {
  std::vector<std::string_view> parts = split_dots(s);
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  const std::string_view last = parts.back();
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos) return true;
  return ipv4_number(last).has_value();
}

std::optional<std::string> parse_ipv4(std::string_view s) {
  std::vector<std::string_view> parts = split_dots(s);
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::array<std::uint64_t, 4> numbers{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::optional<std::uint64_t> n = ipv4_number(parts[i]);
    if (!n) return std::nullopt;
    if (i + 1 < parts.size() && *n > 255) return std::nullopt;
    numbers[i] = *n;
  }
  const std::size_t last = parts.size() - 1;
  if (numbers[last] >= (std::uint64_t{1} << (8 * (4 - last)))) return std::nullopt;
  std::uint64_t address = numbers[last];
  for (std::size_t i = 0; i < last; ++i) address += numbers[i] << (8 * (3 - i));
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((address >> shift) & 0xFF);
    if (shift != 0) out.push_back('.');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IPv6

std::optional<std::array<std::uint16_t, 8>> parse_ipv6(std::string_view in) {
  std::array<std::uint16_t, 8> address{};
  std::size_t piece = 0;
  std::optional<std::size_t> compress;
  std::size_t p = 0;
  auto c = [&]() -> int { return p < in.size() ? static_cast<unsigned char>(in[p]) : -1; };
  if (c() == ':') {
    if (p + 1 >= in.size() || in[p + 1] != ':') return std::nullopt;
    p += 2;
    compress = ++piece;
  }
  while (c() != -1) {
    if (piece == 8) return std::nullopt;
    if (c() == ':') {
      if (compress) return std::nullopt;
      ++p;
      compress = ++piece;
      continue;
    }
    unsigned value = 0;
    std::size_t length = 0;
    while (length < 4 && c() != -1 && is_hex_digit(static_cast<char>(c()))) {
      value = value * 0x10 + static_cast<unsigned>(hex_value(static_cast<char>(c())));
      ++p;
      ++length;
    }
    if (c() == '.') {
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece > 6) return std::nullopt;
      int numbers_seen = 0;
      while (c() != -1) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (c() == '.' && numbers_seen < 4) {
            ++p;
          } else {
            return std::nullopt;
          }
        }
        if (c() < '0' || c() > '9') return std::nullopt;
        while (c() >= '0' && c() <= '9') {
          const int number = c() - '0';
          if (ipv4_piece == -1) {
            ipv4_piece = number;
          } else if (ipv4_piece == 0) {
            return std::nullopt;
          } else {
            ipv4_piece = ipv4_piece * 10 + number;
          }
          if (ipv4_piece > 255) return std::nullopt;
          ++p;
        }
        address[piece] = static_cast<std::uint16_t>(address[piece] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece;
      }
      if (numbers_seen != 4) return std::nullopt;
      break;
    }
    if (c() == ':') {
      ++p;
      if (c() == -1) return std::nullopt;
    } else if (c() != -1) {
      return std::nullopt;
    }
    address[piece] = static_cast<std::uint16_t>(value);
    ++piece;
  }
  if (compress) {
    std::size_t swaps = piece - *compress;
    for (piece = 7; piece != 0 && swaps > 0; --piece, --swaps) {
      std::swap(address[piece], address[*compress + swaps - 1]);
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  return address;
}

// Brackets included; the first longest run of two or more zero pieces becomes "::".
std::string serialize_ipv6(const std::array<std::uint16_t, 8>& a) {
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && a[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = (j == i) ? i + 1 : j;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "[";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += (i == 0) ? "::" : ":";
      i += best_len - 1;
      continue;
    }
    const unsigned v = a[static_cast<std::size_t>(i)];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned d = (v >> shift) & 0xF;
      if (d != 0 || started || shift == 0) out.push_back(kHex[d]), started = true;
    }
    if (i != 7) out.push_back(':');
  }
  out.push_back(']');
  return out;
}

std::optional<std::string> parse_opaque_host(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (is_forbidden_host_byte(static_cast<unsigned char>(c))) return std::nullopt;
    append_encoded(out, c, EncodeSet::c0_control);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IDNA. UTS 46 mapping, normalization, validity and Punycode encoding of non-ASCII labels come
// from libidn2, called the way curl calls it (the hosts we fetch are the hosts curl would).
// Around it, own code covers what that gets wrong for the URL Standard: when nontransitional
// processing fails it retries transitionally, which maps deviation characters (ß ς ZWJ ZWNJ)
// and skips the Bidi and joiner checks.

// RFC 3492 decoding of an A-label's tail (after "xn--"); nullopt when not valid Punycode.
std::optional<std::u32string> punycode_decode(std::string_view in) {
  constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
  constexpr std::uint32_t kMax = 0x7FFFFFFF;
  std::u32string out;
  std::size_t pos = 0;
  if (const std::size_t b = in.rfind('-'); b != std::string_view::npos && b > 0) {
    for (std::size_t k = 0; k < b; ++k) out.push_back(static_cast<unsigned char>(in[k]));
    pos = b + 1;
  }
  std::uint32_t n = 0x80, i = 0, bias = 72;
  while (pos < in.size()) {
    const std::uint32_t old_i = i;
    std::uint32_t w = 1;
    for (std::uint32_t k = kBase;; k += kBase) {
      if (pos >= in.size()) return std::nullopt;
      const char ch = ascii_lower(in[pos++]);
      std::uint32_t digit;
      if (ch >= 'a' && ch <= 'z') {
        digit = static_cast<std::uint32_t>(ch - 'a');
      } else if (ch >= '0' && ch <= '9') {
        digit = static_cast<std::uint32_t>(ch - '0') + 26;
      } else {
        return std::nullopt;
      }
      if (digit > (kMax - i) / w) return std::nullopt;
      i += digit * w;
      const std::uint32_t t = k <= bias ? kTmin : (k >= bias + kTmax ? kTmax : k - bias);
      if (digit < t) break;
      if (w > kMax / (kBase - t)) return std::nullopt;
      w *= kBase - t;
    }
    const auto len = static_cast<std::uint32_t>(out.size() + 1);
    std::uint32_t delta = old_i == 0 ? (i - old_i) / kDamp : (i - old_i) / 2;  // adapt()
    delta += delta / len;
    std::uint32_t k = 0;
    for (; delta > ((kBase - kTmin) * kTmax) / 2; k += kBase) delta /= kBase - kTmin;
    bias = k + (kBase - kTmin + 1) * delta / (delta + kSkew);
    if (i / len > kMax - n) return std::nullopt;
    n += i / len;
    i %= len;
    if (n < 0x80 || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) return std::nullopt;
    out.insert(out.begin() + i, static_cast<char32_t>(n));
    ++i;
  }
  return out;
}

// The blocks holding every code point of Bidi class R, AL or AN (and some others).
bool maybe_rtl(char32_t c) {
  return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF) ||
         (c >= 0xFE70 && c <= 0xFEFF) || (c >= 0x10800 && c <= 0x10FFF) ||
         (c >= 0x1E800 && c <= 0x1EFFF);
}

bool has_deviation(std::string_view utf8) {  // ß ς ZWNJ ZWJ
  return utf8.find("\xC3\x9F") != std::string_view::npos ||
         utf8.find("\xCF\x82") != std::string_view::npos ||
         utf8.find("\xE2\x80\x8C") != std::string_view::npos ||
         utf8.find("\xE2\x80\x8D") != std::string_view::npos;
}

// libidn2's ToASCII of a whole UTF-8 domain, or nullopt: nontransitional UTS 46 first, and
// transitional when that input is disallowed (what curl does). libidn2 directly, not through
// curl_url_get(CURLU_PUNYCODE), whose error paths leak in curl 7.88.
std::optional<std::string> uts46_to_ascii(const std::string& domain) {
  char* out = nullptr;
  int rc =
      idn2_lookup_u8(reinterpret_cast<const std::uint8_t*>(domain.c_str()),
                     reinterpret_cast<std::uint8_t**>(&out), IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc == IDN2_DISALLOWED) {
    rc = idn2_lookup_u8(reinterpret_cast<const std::uint8_t*>(domain.c_str()),
                        reinterpret_cast<std::uint8_t**>(&out), IDN2_TRANSITIONAL);
  }
  if (rc != IDN2_OK || out == nullptr) {
    idn2_free(out);
    if (rc == IDN2_MALLOC) throw std::bad_alloc();
    return std::nullopt;
  }
  std::string result(out);
  idn2_free(out);
  for (char& c : result) c = ascii_lower(c);
  return result;
}

// Labels split on the four UTS 46 full stops (U+002E, U+3002, U+FF0E, U+FF61).
std::vector<std::string_view> split_labels(std::string_view s) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t len = 0;
    if (s[i] == '.') {
      len = 1;
    } else if (s.substr(i, 3) == "\xE3\x80\x82" || s.substr(i, 3) == "\xEF\xBC\x8E" ||
               s.substr(i, 3) == "\xEF\xBD\xA1") {
      len = 3;
    }
    if (len == 0) continue;
    labels.push_back(s.substr(start, i - start));
    start = i + len;
    i += len - 1;
  }
  labels.push_back(s.substr(start));
  return labels;
}

// UTS 46 processing of a domain that is not plain lowercase-able ASCII.
std::optional<std::string> idna_to_ascii(std::string_view domain) {
  const std::vector<std::string_view> labels = split_labels(domain);
  std::vector<std::string> out(labels.size());
  std::vector<std::size_t> via_curl;  // indices of labels libidn2 converts (or verifies)
  // "ß." leads as a probe: it stays "xn--zca" only if the nontransitional pass succeeded.
  std::string request = "\xC3\x9F";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::string_view label = labels[i];
    if (is_ascii(label)) {
      for (char c : label) out[i].push_back(ascii_lower(c));
      if (!starts_with_xn(label)) continue;
      std::optional<std::u32string> decoded = punycode_decode(label.substr(4));
      if (!decoded || decoded->empty()) return std::nullopt;
      bool all_ascii = true;
      for (char32_t c : *decoded) all_ascii = all_ascii && c < 0x80;
      if (all_ascii) return std::nullopt;
      request.push_back('.');
      for (char32_t c : *decoded) append_utf8(request, c);
    } else {
      request.push_back('.');
      for (std::size_t k = 0; k < label.size(); ++k) {
        if (label.substr(k, 3) == "\xE1\xBA\x9E") {  // U+1E9E maps to ß in current UTS 46
          request += "\xC3\x9F";
          k += 2;
        } else {
          request.push_back(label[k]);
        }
      }
    }
    via_curl.push_back(i);
  }
  std::optional<std::string> converted = uts46_to_ascii(request);
  if (!converted) return std::nullopt;
  std::vector<std::string_view> pieces = split_dots(*converted);
  if (pieces.size() != via_curl.size() + 1) return std::nullopt;
  const bool transitional = pieces[0] != "xn--zca";
  if (transitional && (pieces[0] != "ss" || has_deviation(std::string_view(request).substr(2)))) {
    return std::nullopt;
  }
  bool rtl = false;
  for (std::size_t k = 0; k < via_curl.size(); ++k) {
    const std::string_view piece = pieces[k + 1];
    std::string& label = out[via_curl[k]];
    if (!label.empty() && piece != label) return std::nullopt;  // an A-label must round-trip
    label = piece;
    if (!starts_with_xn(piece)) continue;
    std::optional<std::u32string> u = punycode_decode(piece.substr(4));
    if (!u) return std::nullopt;
    if (u->size() >= 4 && (*u)[0] == 'x' && (*u)[1] == 'n' && (*u)[2] == '-' && (*u)[3] == '-') {
      return std::nullopt;
    }
    for (char32_t c : *u) rtl = rtl || maybe_rtl(c);
  }
  if (rtl) {
    // Bidi rules: libidn2 checks only labels holding RTL text, and not at all on curl's
    // transitional retry. Plain ASCII labels of a Bidi domain must start with a letter and end
    // with a letter or digit.
    if (transitional) return std::nullopt;
    for (const std::string& label : out) {
      if (label.empty() || starts_with_xn(label)) continue;
      const auto alpha = [](char c) { return c >= 'a' && c <= 'z'; };
      const auto digit = [](char c) { return c >= '0' && c <= '9'; };
      if (!alpha(label.front()) || !(alpha(label.back()) || digit(label.back()))) {
        return std::nullopt;
      }
    }
  }
  std::string result;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i != 0) result.push_back('.');
    result += out[i];
  }
  return result;
}

}  // namespace

std::optional<std::string> domain_to_ascii(std::string_view domain) {
  std::optional<std::string> result;
  bool needs_idna = !is_ascii(domain);
  for (std::size_t i = 0; !needs_idna && i < domain.size(); ++i) {
    needs_idna = (i == 0 || domain[i - 1] == '.') && starts_with_xn(domain.substr(i));
  }
  if (needs_idna) {
    result = idna_to_ascii(domain);
  } else {
    result.emplace(domain);
    for (char& c : *result) c = ascii_lower(c);
  }
  if (!result || result->empty()) return std::nullopt;
  for (char c : *result) {
    if (is_forbidden_domain_byte(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return result;
}

std::optional<std::string> parse_host(std::string_view input, bool is_opaque) {
  if (!input.empty() && input.front() == '[') {
    if (input.size() < 2 || input.back() != ']') return std::nullopt;
    std::optional<std::array<std::uint16_t, 8>> v6 = parse_ipv6(input.substr(1, input.size() - 2));
    if (!v6) return std::nullopt;
    return serialize_ipv6(*v6);
  }
  if (is_opaque) return parse_opaque_host(input);
  const std::string decoded = percent_decode(input);
  if (!is_valid_utf8(decoded)) return std::nullopt;  // U+FFFD would fail domain to ASCII anyway
  std::optional<std::string> ascii = domain_to_ascii(decoded);
  if (!ascii) return std::nullopt;
  if (ends_in_a_number(*ascii)) return parse_ipv4(*ascii);
  return ascii;
}

}  // namespace acrawl::crawler::url_detail
