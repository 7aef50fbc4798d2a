#include "crawler/text/mime.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "crawler/text/ascii.hpp"

namespace acrawl::crawler {

using namespace ascii;

namespace {

// No allocation anywhere here, so noexcept holds.

// Collects an HTTP quoted string starting at s[pos] == '"' with the value extracted into buf
// (overflow marks the value as unusable: longer than any label anyway). Leaves pos after it.
std::string_view collect_quoted(std::string_view s, std::size_t& pos, std::array<char, 64>& buf,
                                bool& overflow) {
  std::size_t len = 0;
  ++pos;  // opening quote
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"') break;
    if (c == '\\') {
      if (pos >= s.size()) {
        c = '\\';
      } else {
        c = s[pos++];
      }
    }
    if (len < buf.size()) {
      buf[len++] = c;
    } else {
      overflow = true;
    }
  }
  return {buf.data(), len};
}

}  // namespace

std::optional<MimeType> parse_mime_type(std::string_view input) noexcept {
  const std::string_view s = trim_http_ws(input);
  std::size_t pos = s.find('/');
  if (pos == std::string_view::npos || pos == 0) return std::nullopt;
  MimeType m;
  m.type = s.substr(0, pos);
  ++pos;
  const std::size_t semi = std::min(s.find(';', pos), s.size());
  m.subtype = trim_http_ws(s.substr(pos, semi - pos));
  for (std::string_view part : {m.type, m.subtype}) {
    if (part.empty()) return std::nullopt;
    for (char c : part) {
      if (!is_token_char(c)) return std::nullopt;
    }
  }
  pos = semi;
  while (pos < s.size()) {
    ++pos;  // the ';'
    while (pos < s.size() && is_http_ws(s[pos])) ++pos;
    const std::size_t name_start = pos;
    while (pos < s.size() && s[pos] != ';' && s[pos] != '=') ++pos;
    const std::string_view name = s.substr(name_start, pos - name_start);
    if (pos < s.size()) {
      if (s[pos] == ';') continue;
      ++pos;  // the '='
    }
    if (pos >= s.size()) break;
    std::array<char, 64> buf{};
    bool overflow = false;
    std::string_view value;
    if (s[pos] == '"') {
      value = collect_quoted(s, pos, buf, overflow);
      while (pos < s.size() && s[pos] != ';') ++pos;
    } else {
      const std::size_t value_start = pos;
      while (pos < s.size() && s[pos] != ';') ++pos;
      value = trim_http_ws(s.substr(value_start, pos - value_start));
      if (value.empty()) continue;
    }
    bool valid = !name.empty();
    for (char c : name) valid = valid && is_token_char(c);
    for (char c : value) valid = valid && is_quoted_string_char(c);
    if (valid && !m.has_charset && iequals(name, "charset")) {
      m.has_charset = true;
      if (!overflow) m.charset = encoding_for_label(value);
    }
  }
  return m;
}

std::optional<MimeType> extract_mime_type(std::string_view content_type) noexcept {
  // Values are comma-separated (commas inside quotes don't count).
  std::optional<MimeType> result;
  bool carried_present = false;
  std::optional<Encoding> carried;
  std::size_t pos = 0;
  while (pos <= content_type.size()) {
    const std::size_t start = pos;
    bool quoted = false;
    for (; pos < content_type.size(); ++pos) {
      const char c = content_type[pos];
      if (quoted && c == '\\') {
        ++pos;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        break;
      }
    }
    const std::string_view value =
        content_type.substr(start, std::min(pos, content_type.size()) - start);
    ++pos;
    auto mime = parse_mime_type(value);
    if (!mime || (mime->type == "*" && mime->subtype == "*")) continue;
    const bool same_essence =
        result && iequals(mime->type, result->type) && iequals(mime->subtype, result->subtype);
    if (!same_essence) {
      carried_present = mime->has_charset;
      carried = mime->charset;
    } else if (!mime->has_charset && carried_present) {
      mime->has_charset = true;
      mime->charset = carried;
    }
    result = mime;
  }
  return result;
}

std::optional<bool> content_type_is_html(std::string_view content_type) noexcept {
  const std::optional<MimeType> mime = extract_mime_type(content_type);
  if (!mime) return std::nullopt;
  return (iequals(mime->type, "text") && iequals(mime->subtype, "html")) ||
         (iequals(mime->type, "application") && iequals(mime->subtype, "xhtml+xml"));
}

bool is_html(std::string_view content_type, std::string_view body) noexcept {
  if (const std::optional<bool> declared = content_type_is_html(content_type)) return *declared;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  while (!body.empty() && is_ascii_ws(static_cast<unsigned char>(body.front()))) {
    body.remove_prefix(1);
  }
  return !body.empty() && body.front() == '<';
}

}  // namespace acrawl::crawler
