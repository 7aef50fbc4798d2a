// The HTML spec's <meta> prescan of the first 1024 bytes.
#include "crawler/text/charset.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "crawler/text/ascii.hpp"

namespace acrawl::crawler {
namespace {

using namespace ascii;

// ---------------------------------------------------------------------------------------------
// The HTML spec's prescan (13.2.3.2). Input is at most 1024 bytes, so fixed buffers suffice.

constexpr std::size_t kPrescanLimit = 1024;

std::optional<Encoding> utf16_to_utf8(std::optional<Encoding> e) {
  if (e == Encoding::utf16be || e == Encoding::utf16le) return Encoding::utf8;
  return e;
}

// "Get an XML encoding", used when the prescan runs out of bytes.
std::optional<Encoding> get_xml_encoding(std::string_view in) {
  if (in.substr(0, 5) != "<?xml") return std::nullopt;
  const std::size_t end = in.find('>');
  if (end == std::string_view::npos) return std::nullopt;
  std::size_t p = in.substr(0, end).find("encoding");
  if (p == std::string_view::npos) return std::nullopt;
  p += 8;
  auto skip_controls = [&] {
    while (p < in.size() && static_cast<unsigned char>(in[p]) <= 0x20) ++p;
  };
  skip_controls();
  if (p >= in.size() || in[p] != '=') return std::nullopt;
  ++p;
  skip_controls();
  if (p >= in.size() || (in[p] != '"' && in[p] != '\'')) return std::nullopt;
  const char quote = in[p++];
  const std::size_t close = in.find(quote, p);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view label = in.substr(p, close - p);
  for (char c : label) {
    if (static_cast<unsigned char>(c) <= 0x20) return std::nullopt;
  }
  return utf16_to_utf8(encoding_for_label(label));
}

// "Algorithm for extracting a character encoding from a meta element" (the content attribute).
std::optional<Encoding> encoding_from_meta_content(std::string_view s) {
  std::size_t pos = 0;
  while (true) {
    std::size_t i = pos;
    for (; i + 7 <= s.size(); ++i) {
      if (iequals(s.substr(i, 7), "charset")) break;
    }
    if (i + 7 > s.size()) return std::nullopt;
    std::size_t j = i + 7;
    while (j < s.size() && is_ascii_ws(static_cast<unsigned char>(s[j]))) ++j;
    if (j >= s.size() || s[j] != '=') {
      pos = j;
      continue;
    }
    ++j;
    while (j < s.size() && is_ascii_ws(static_cast<unsigned char>(s[j]))) ++j;
    if (j >= s.size()) return std::nullopt;
    if (s[j] == '"' || s[j] == '\'') {
      const std::size_t close = s.find(s[j], j + 1);
      if (close == std::string_view::npos) return std::nullopt;
      return encoding_for_label(s.substr(j + 1, close - j - 1));
    }
    std::size_t k = j;
    while (k < s.size() && !is_ascii_ws(static_cast<unsigned char>(s[k])) && s[k] != ';') ++k;
    return encoding_for_label(s.substr(j, k - j));
  }
}

class Prescanner {
 public:
  explicit Prescanner(std::string_view in) : in_(in) {}

  std::optional<Encoding> run();

 private:
  enum class Got { attribute, none, out_of_bytes };

  Got get_attribute();
  // Handles a <meta> at pos_; out_of_bytes is signalled through `aborted`.
  std::optional<Encoding> meta(bool& aborted);

  bool out() const { return pos_ >= in_.size(); }
  unsigned char byte() const { return static_cast<unsigned char>(in_[pos_]); }
  std::string_view name() const { return {name_.data(), name_len_}; }
  std::string_view value() const { return {value_.data(), value_len_}; }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::array<char, kPrescanLimit> name_{};
  std::array<char, kPrescanLimit> value_{};
  std::size_t name_len_ = 0;
  std::size_t value_len_ = 0;
};

Prescanner::Got Prescanner::get_attribute() {
  while (!out() && (is_ascii_ws(byte()) || byte() == '/')) ++pos_;
  if (out()) return Got::out_of_bytes;
  if (byte() == '>') return Got::none;
  name_len_ = 0;
  value_len_ = 0;
  auto lower = [](unsigned char c) { return ascii_lower(static_cast<char>(c)); };
  // Attribute name.
  while (true) {
    if (out()) return Got::out_of_bytes;
    const unsigned char c = byte();
    if (c == '=' && name_len_ > 0) {
      ++pos_;
      break;
    }
    if (is_ascii_ws(c)) {
      while (!out() && is_ascii_ws(byte())) ++pos_;
      if (out()) return Got::out_of_bytes;
      if (byte() != '=') return Got::attribute;
      ++pos_;
      break;
    }
    if (c == '/' || c == '>') return Got::attribute;
    name_[name_len_++] = lower(c);
    ++pos_;
  }
  // Attribute value.
  while (!out() && is_ascii_ws(byte())) ++pos_;
  if (out()) return Got::out_of_bytes;
  const unsigned char first = byte();
  if (first == '"' || first == '\'') {
    while (true) {
      ++pos_;
      if (out()) return Got::out_of_bytes;
      if (byte() == first) {
        ++pos_;
        return Got::attribute;
      }
      value_[value_len_++] = lower(byte());
    }
  }
  if (first == '>') return Got::attribute;
  value_[value_len_++] = lower(first);
  ++pos_;
  while (true) {
    if (out()) return Got::out_of_bytes;
    if (is_ascii_ws(byte()) || byte() == '>') return Got::attribute;
    value_[value_len_++] = lower(byte());
    ++pos_;
  }
}

std::optional<Encoding> Prescanner::meta(bool& aborted) {
  enum class Need { null, yes, no };
  enum class Charset { null, failure, found };
  bool got_pragma = false;
  Need need_pragma = Need::null;
  Charset charset_state = Charset::null;
  Encoding charset = Encoding::utf8;
  bool seen_http_equiv = false;
  bool seen_content = false;
  bool seen_charset = false;
  while (true) {
    const Got got = get_attribute();
    if (got == Got::out_of_bytes) {
      aborted = true;
      return std::nullopt;
    }
    if (got == Got::none) break;
    const std::string_view n = name();
    if (n == "http-equiv") {
      if (seen_http_equiv) continue;
      seen_http_equiv = true;
      if (value() == "content-type") got_pragma = true;
    } else if (n == "content") {
      if (seen_content) continue;
      seen_content = true;
      const auto e = encoding_from_meta_content(value());
      if (e && charset_state == Charset::null) {
        charset = *e;
        charset_state = Charset::found;
        need_pragma = Need::yes;
      }
    } else if (n == "charset") {
      if (seen_charset) continue;
      seen_charset = true;
      const auto e = encoding_for_label(value());
      charset_state = e ? Charset::found : Charset::failure;
      if (e) charset = *e;
      need_pragma = Need::no;
    }
  }
  if (need_pragma == Need::null) return std::nullopt;
  if (need_pragma == Need::yes && !got_pragma) return std::nullopt;
  if (charset_state != Charset::found) return std::nullopt;
  if (charset == Encoding::x_user_defined) return Encoding::windows_1252;
  return utf16_to_utf8(charset);
}

std::optional<Encoding> Prescanner::run() {
  using namespace std::string_view_literals;
  if (in_.substr(0, 6) == "<\0?\0x\0"sv) return Encoding::utf16le;
  if (in_.substr(0, 6) == "\0<\0?\0x"sv) return Encoding::utf16be;
  const std::size_t n = in_.size();
  for (; pos_ < n; ++pos_) {  // each iteration ends at "next byte"
    if (in_[pos_] != '<') continue;
    const std::string_view rest = in_.substr(pos_);
    if (rest.substr(0, 4) == "<!--") {
      const std::size_t close = in_.find("-->", pos_ + 2);
      if (close == std::string_view::npos) break;
      pos_ = close + 2;
    } else if (rest.size() >= 6 && iequals(rest.substr(0, 5), "<meta") &&
               (is_ascii_ws(static_cast<unsigned char>(rest[5])) || rest[5] == '/')) {
      pos_ += 5;
      bool aborted = false;
      if (const auto e = meta(aborted)) return e;
      if (aborted) break;
    } else if ((rest.size() >= 2 && is_ascii_alpha(rest[1])) ||
               (rest.size() >= 3 && rest[1] == '/' && is_ascii_alpha(rest[2]))) {
      while (pos_ < n && !is_ascii_ws(byte()) && byte() != '>') ++pos_;
      Got got = Got::attribute;
      while (got == Got::attribute) got = get_attribute();
      if (got == Got::out_of_bytes) break;
    } else if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '/' || rest[1] == '?')) {
      const std::size_t close = in_.find('>', pos_ + 1);
      if (close == std::string_view::npos) break;
      pos_ = close;
    }
  }
  return get_xml_encoding(in_);
}

}  // namespace

std::optional<Encoding> prescan_for_meta_charset(std::string_view bytes) noexcept {
  return Prescanner(bytes.substr(0, kPrescanLimit)).run();
}

}  // namespace acrawl::crawler
