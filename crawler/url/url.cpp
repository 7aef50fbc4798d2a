#include "crawler/url/url.hpp"

#include "crawler/text/ascii.hpp"
#include "crawler/text/charset.hpp"

#include <string>

#include "crawler/text/utf8.hpp"
#include "crawler/url/encode.hpp"
#include "crawler/url/host.hpp"

namespace acrawl::crawler {
namespace url_detail {
namespace {

constexpr int kEof = -1;

using ascii::iequals;
using ascii::is_ascii_alpha;
using ascii::is_ascii_digit;
using ascii::is_hex_digit;

constexpr char lower(int c) {
  return ascii::ascii_lower(static_cast<char>(c));
}

// The default port of a special scheme, 0 for "file" (special, no port), -1 when not special.
int default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  if (scheme == "file") return 0;
  return -1;
}

bool is_drive_letter(std::string_view s) {
  return s.size() == 2 && is_ascii_alpha(s[0]) && (s[1] == ':' || s[1] == '|');
}
bool is_normalized_drive_letter(std::string_view s) {
  return is_drive_letter(s) && s[1] == ':';
}
bool starts_with_drive_letter(std::string_view s) {
  return s.size() >= 2 && is_drive_letter(s.substr(0, 2)) &&
         (s.size() == 2 || s[2] == '/' || s[2] == '\\' || s[2] == '?' || s[2] == '#');
}

bool is_single_dot(std::string_view s) {
  return s == "." || iequals(s, "%2e");
}
bool is_double_dot(std::string_view s) {
  return s == ".." || iequals(s, ".%2e") || iequals(s, "%2e.") || iequals(s, "%2e%2e");
}

// A URL record while parsing. A list path is kept serialized ("/a/b", "" for the empty list),
// which makes cloning a base's path one copy; an opaque path is kept as is.
struct Record {
  std::string scheme;
  std::string username, password;
  std::optional<std::string> host;
  std::int32_t port = -1;
  std::string path;
  bool opaque_path = false;
  std::optional<std::string> query, fragment;
};

// "Shorten a URL's path".
void shorten(Record& url) {
  const std::size_t last = url.path.rfind('/');
  if (last == std::string::npos) return;
  if (url.scheme == "file" && last == 0 && is_normalized_drive_letter(url.path.substr(1))) return;
  url.path.erase(last);
}

// Input with leading/trailing C0 control or space stripped and tab/newline removed (a copy only
// when needed), repaired to UTF-8 when it is not.
std::string_view clean_input(std::string_view in, std::string& storage) {
  while (!in.empty() && static_cast<unsigned char>(in.front()) <= 0x20) in.remove_prefix(1);
  while (!in.empty() && static_cast<unsigned char>(in.back()) <= 0x20) in.remove_suffix(1);
  const bool has_tab_or_newline = in.find_first_of("\t\n\r") != std::string_view::npos;
  if (!has_tab_or_newline && ascii_prefix_length(in) == in.size()) return in;
  if (!has_tab_or_newline && is_valid_utf8(in)) return in;
  std::string stripped;
  for (char c : in) {
    if (c != '\t' && c != '\n' && c != '\r') stripped.push_back(c);
  }
  storage = is_valid_utf8(stripped) ? std::move(stripped) : sanitize_utf8(stripped);
  return storage;
}

enum class State {
  scheme_start,
  scheme,
  no_scheme,
  special_relative_or_authority,
  path_or_authority,
  relative,
  relative_slash,
  special_authority_slashes,
  special_authority_ignore_slashes,
  authority,
  host,
  port,
  file,
  file_slash,
  file_host,
  path_start,
  path,
  opaque_path,
  query,
  fragment,
};

}  // namespace

class Parser {
 public:
  static std::optional<Url> parse(std::string_view raw, const Url* base, Encoding encoding);

 private:
  static std::optional<Record> run(std::string_view in, const Url* base, Encoding encoding);
  static Url serialize(const Record& url);
};

std::optional<Url> Parser::parse(std::string_view raw, const Url* base, Encoding encoding) {
  std::string storage;
  std::optional<Record> record = run(clean_input(raw, storage), base, encoding);
  if (!record) return std::nullopt;
  return serialize(*record);
}

// The basic URL parser's state machine, step for step (no state override, UTF-8 only). It runs
// on UTF-8 bytes: non-ASCII bytes only ever get percent-encoded or passed to the host parser.
std::optional<Record> Parser::run(std::string_view in, const Url* base, Encoding encoding) {
  Record url;
  std::string query_text;  // the query's UTF-8, when it is encoded into a legacy encoding
  std::string buffer;
  bool at_sign_seen = false, inside_brackets = false, password_token_seen = false;
  bool special = false;
  State state = State::scheme_start;
  const auto n = static_cast<std::ptrdiff_t>(in.size());
  std::ptrdiff_t p = 0;
  auto remaining_starts_with = [&](char ch) {
    return p + 1 < n && in[static_cast<std::size_t>(p + 1)] == ch;
  };
  auto from_pointer = [&] { return in.substr(static_cast<std::size_t>(p)); };
  auto copy_authority = [&] {
    url.username = base->username();
    url.password = base->password();
    if (base->has_host_) url.host.emplace(base->host());
    url.port = base->port_;
  };
  auto base_query = [&]() -> std::optional<std::string> {
    if (!base->has_query_) return std::nullopt;
    return std::string(base->view(
        base->query_begin_, base->has_fragment_ ? base->fragment_begin_ - 1
                                                : static_cast<std::uint32_t>(base->href_.size())));
  };
  // Ends the host/port/authority-like states: EOF, '/', '?', '#', or '\' in a special URL.
  auto ends_authority = [&](int c) {
    return c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\');
  };
  for (;; ++p) {
    const int c = p < n ? static_cast<unsigned char>(in[static_cast<std::size_t>(p)]) : kEof;
    switch (state) {
      case State::scheme_start:
        if (is_ascii_alpha(c)) {
          buffer.push_back(lower(c));
          state = State::scheme;
        } else {
          state = State::no_scheme;
          --p;
        }
        break;
      case State::scheme:
        if (is_ascii_alpha(c) || is_ascii_digit(c) || c == '+' || c == '-' || c == '.') {
          buffer.push_back(lower(c));
        } else if (c == ':') {
          url.scheme = std::move(buffer);
          buffer.clear();
          special = default_port(url.scheme) >= 0;
          if (url.scheme == "file") {
            state = State::file;
          } else if (special && base && base->scheme() == url.scheme) {
            state = State::special_relative_or_authority;
          } else if (special) {
            state = State::special_authority_slashes;
          } else if (remaining_starts_with('/')) {
            state = State::path_or_authority;
            ++p;
          } else {
            url.opaque_path = true;
            state = State::opaque_path;
          }
        } else {
          buffer.clear();
          state = State::no_scheme;
          p = -1;  // start over
        }
        break;
      case State::no_scheme:
        if (!base || (base->opaque_path_ && c != '#')) return std::nullopt;
        if (base->opaque_path_) {
          url.scheme = base->scheme();
          url.path = base->pathname();
          url.opaque_path = true;
          url.query = base_query();
          url.fragment.emplace();
          state = State::fragment;
        } else {
          state = base->scheme() == "file" ? State::file : State::relative;
          --p;
        }
        break;
      case State::special_relative_or_authority:
        if (c == '/' && remaining_starts_with('/')) {
          state = State::special_authority_ignore_slashes;
          ++p;
        } else {
          state = State::relative;
          --p;
        }
        break;
      case State::path_or_authority:
        if (c == '/') {
          state = State::authority;
        } else {
          state = State::path;
          --p;
        }
        break;
      case State::relative:
        url.scheme = base->scheme();
        special = default_port(url.scheme) >= 0;
        if (c == '/' || (special && c == '\\')) {
          state = State::relative_slash;
        } else {
          copy_authority();
          url.path = base->pathname();
          url.query = base_query();
          if (c == '?') {
            url.query.emplace();
            state = State::query;
          } else if (c == '#') {
            url.fragment.emplace();
            state = State::fragment;
          } else if (c != kEof) {
            url.query.reset();
            shorten(url);
            state = State::path;
            --p;
          }
        }
        break;
      case State::relative_slash:
        if (special && (c == '/' || c == '\\')) {
          state = State::special_authority_ignore_slashes;
        } else if (c == '/') {
          state = State::authority;
        } else {
          copy_authority();
          state = State::path;
          --p;
        }
        break;
      case State::special_authority_slashes:
        state = State::special_authority_ignore_slashes;
        if (c == '/' && remaining_starts_with('/')) {
          ++p;
        } else {
          --p;
        }
        break;
      case State::special_authority_ignore_slashes:
        if (c != '/' && c != '\\') {
          state = State::authority;
          --p;
        }
        break;
      case State::authority:
        if (c == '@') {
          if (at_sign_seen) buffer.insert(0, "%40");
          at_sign_seen = true;
          for (char ch : buffer) {
            if (ch == ':' && !password_token_seen) {
              password_token_seen = true;
              continue;
            }
            append_encoded(password_token_seen ? url.password : url.username, ch,
                           EncodeSet::userinfo);
          }
          buffer.clear();
        } else if (ends_authority(c)) {
          if (at_sign_seen && buffer.empty()) return std::nullopt;
          p -= static_cast<std::ptrdiff_t>(buffer.size()) + 1;
          buffer.clear();
          state = State::host;
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;
      case State::host:
        if (c == ':' && !inside_brackets) {
          if (buffer.empty()) return std::nullopt;
          url.host = parse_host(buffer, !special);
          if (!url.host) return std::nullopt;
          buffer.clear();
          state = State::port;
        } else if (ends_authority(c)) {
          --p;
          if (special && buffer.empty()) return std::nullopt;
          url.host = parse_host(buffer, !special);
          if (!url.host) return std::nullopt;
          buffer.clear();
          state = State::path_start;
        } else {
          if (c == '[') inside_brackets = true;
          if (c == ']') inside_brackets = false;
          buffer.push_back(static_cast<char>(c));
        }
        break;
      case State::port:
        if (is_ascii_digit(c)) {
          buffer.push_back(static_cast<char>(c));
        } else if (ends_authority(c)) {
          if (!buffer.empty()) {
            std::int32_t port = 0;
            for (char d : buffer) {
              port = port * 10 + (d - '0');
              if (port > 65535) return std::nullopt;
            }
            url.port = port == default_port(url.scheme) ? -1 : port;
            buffer.clear();
          }
          state = State::path_start;
          --p;
        } else {
          return std::nullopt;
        }
        break;
      case State::file:
        url.scheme = "file";
        special = true;
        url.host.emplace();
        if (c == '/' || c == '\\') {
          state = State::file_slash;
        } else if (base && base->scheme() == "file") {
          url.host.emplace(base->host());
          url.path = base->pathname();
          url.query = base_query();
          if (c == '?') {
            url.query.emplace();
            state = State::query;
          } else if (c == '#') {
            url.fragment.emplace();
            state = State::fragment;
          } else if (c != kEof) {
            url.query.reset();
            if (!starts_with_drive_letter(from_pointer())) {
              shorten(url);
            } else {
              url.path.clear();
            }
            state = State::path;
            --p;
          }
        } else {
          state = State::path;
          --p;
        }
        break;
      case State::file_slash:
        if (c == '/' || c == '\\') {
          state = State::file_host;
        } else {
          if (base && base->scheme() == "file") {
            url.host.emplace(base->host());
            const std::string_view base_path = base->pathname();
            const std::string_view first =
                base_path.empty() ? base_path : base_path.substr(1, base_path.find('/', 1) - 1);
            if (!starts_with_drive_letter(from_pointer()) && is_normalized_drive_letter(first)) {
              url.path.push_back('/');
              url.path += first;
            }
          }
          state = State::path;
          --p;
        }
        break;
      case State::file_host:
        if (c == kEof || c == '/' || c == '\\' || c == '?' || c == '#') {
          --p;
          if (is_drive_letter(buffer)) {
            state = State::path;  // buffer is kept: it becomes the first path segment
          } else if (buffer.empty()) {
            url.host.emplace();
            state = State::path_start;
          } else {
            url.host = parse_host(buffer, false);
            if (!url.host) return std::nullopt;
            if (*url.host == "localhost") url.host->clear();
            buffer.clear();
            state = State::path_start;
          }
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;
      case State::path_start:
        if (special) {
          state = State::path;
          if (c != '/' && c != '\\') --p;
        } else if (c == '?') {
          url.query.emplace();
          state = State::query;
        } else if (c == '#') {
          url.fragment.emplace();
          state = State::fragment;
        } else if (c != kEof) {
          state = State::path;
          if (c != '/') --p;
        }
        break;
      case State::path:
        if (c == kEof || c == '/' || (special && c == '\\') || c == '?' || c == '#') {
          const bool slash = c == '/' || (special && c == '\\');
          if (is_double_dot(buffer)) {
            shorten(url);
            if (!slash) url.path.push_back('/');
          } else if (is_single_dot(buffer)) {
            if (!slash) url.path.push_back('/');
          } else {
            if (url.scheme == "file" && url.path.empty() && is_drive_letter(buffer))
              buffer[1] = ':';
            url.path.push_back('/');
            url.path += buffer;
          }
          buffer.clear();
          if (c == '?') {
            url.query.emplace();
            state = State::query;
          } else if (c == '#') {
            url.fragment.emplace();
            state = State::fragment;
          }
        } else {
          append_encoded(buffer, static_cast<char>(c), EncodeSet::path);
        }
        break;
      case State::opaque_path:
        if (c == '?') {
          url.query.emplace();
          state = State::query;
        } else if (c == '#') {
          url.fragment.emplace();
          state = State::fragment;
        } else if (c != kEof) {
          append_encoded(url.path, static_cast<char>(c), EncodeSet::c0_control);
        }
        break;
      case State::query: {
        // With UTF-8 as the output encoding, encoding as we go equals encoding the buffer at the
        // end. A document in a legacy encoding gives its special URLs' queries that encoding.
        const bool legacy =
            encoding != Encoding::utf8 && special && url.scheme != "ws" && url.scheme != "wss";
        if (c == '#' || c == kEof) {
          if (legacy && !query_text.empty()) {
            *url.query += percent_encode_after_encoding(query_text, encoding, [](unsigned char b) {
              return in_encode_set(b, EncodeSet::special_query);
            });
            query_text.clear();
          }
          if (c == '#') {
            url.fragment.emplace();
            state = State::fragment;
          }
        } else if (legacy) {
          query_text.push_back(static_cast<char>(c));
        } else {
          append_encoded(*url.query, static_cast<char>(c),
                         special ? EncodeSet::special_query : EncodeSet::query);
        }
        break;
      }
      case State::fragment:
        if (c != kEof) append_encoded(*url.fragment, static_cast<char>(c), EncodeSet::fragment);
        break;
    }
    if (p >= n) break;
  }
  return url;
}

// The URL serializer, recording where each component lands.
Url Parser::serialize(const Record& url) {
  Url out;
  std::string& h = out.href_;
  h.reserve(url.scheme.size() + 3 + (url.host ? url.host->size() : 0) + url.path.size() +
            (url.query ? url.query->size() + 1 : 0) +
            (url.fragment ? url.fragment->size() + 1 : 0));
  auto pos = [&h] { return static_cast<std::uint32_t>(h.size()); };
  h = url.scheme;
  out.scheme_end_ = pos();
  h.push_back(':');
  out.user_begin_ = out.user_end_ = out.pass_begin_ = out.pass_end_ = pos();
  if (url.host) {
    out.has_host_ = true;
    h += "//";
    out.user_begin_ = pos();
    h += url.username;
    out.user_end_ = out.pass_begin_ = out.pass_end_ = pos();
    if (!url.password.empty()) {
      h.push_back(':');
      out.pass_begin_ = pos();
      h += url.password;
      out.pass_end_ = pos();
    }
    if (!url.username.empty() || !url.password.empty()) h.push_back('@');
    out.host_begin_ = pos();
    h += *url.host;
    out.host_end_ = pos();
    if (url.port >= 0) {
      h.push_back(':');
      h += std::to_string(url.port);
    }
  } else {
    out.host_begin_ = out.host_end_ = pos();
    if (!url.opaque_path && url.path.size() > 1 && url.path[1] == '/') h += "/.";
  }
  out.port_ = url.port;
  out.opaque_path_ = url.opaque_path;
  out.path_begin_ = pos();
  h += url.path;
  out.path_end_ = pos();
  if (url.query) {
    h.push_back('?');
    out.has_query_ = true;
    out.query_begin_ = pos();
    h += *url.query;
  }
  if (url.fragment) {
    h.push_back('#');
    out.has_fragment_ = true;
    out.fragment_begin_ = pos();
    h += *url.fragment;
  }
  return out;
}

}  // namespace url_detail

std::optional<Url> Url::parse(std::string_view input, const Url* base, Encoding query_encoding) {
  return url_detail::Parser::parse(input, base, query_encoding);
}

std::optional<Url> Url::parse(std::string_view input, std::string_view base) {
  std::optional<Url> parsed_base = url_detail::Parser::parse(base, nullptr, Encoding::utf8);
  if (!parsed_base) return std::nullopt;
  return url_detail::Parser::parse(input, &*parsed_base, Encoding::utf8);
}

std::optional<std::uint16_t> Url::port() const noexcept {
  if (port_ < 0) return std::nullopt;
  return static_cast<std::uint16_t>(port_);
}

std::string_view Url::search() const noexcept {
  if (!has_query_) return {};
  const auto end = has_fragment_ ? fragment_begin_ - 1 : static_cast<std::uint32_t>(href_.size());
  return end == query_begin_ ? std::string_view() : view(query_begin_ - 1, end);
}

std::string_view Url::hash() const noexcept {
  if (!has_fragment_ || fragment_begin_ == href_.size()) return {};
  return view(fragment_begin_ - 1, static_cast<std::uint32_t>(href_.size()));
}

std::string Url::origin() const {
  const std::string_view s = scheme();
  if (s == "blob") {
    std::optional<Url> inner = parse(pathname());
    if (inner && inner->is_http()) return inner->origin();
    return "null";
  }
  if (s != "http" && s != "https" && s != "ws" && s != "wss" && s != "ftp") return "null";
  // Everything up to the end of host and port, minus any credentials.
  std::string out(s);
  out += "://";
  out += host();
  if (port_ >= 0) {
    out.push_back(':');
    out += std::to_string(port_);
  }
  return out;
}

bool Url::is_http() const noexcept {
  return scheme() == "http" || scheme() == "https";
}

std::string Url::href_without_fragment() const {
  return has_fragment_ ? href_.substr(0, fragment_begin_ - 1) : href_;
}

std::string dedup_key(const Url& url) {
  std::string key = url.href_without_fragment();
  const auto upper = [](char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 32) : c; };
  for (std::size_t i = 0; i + 2 < key.size(); ++i) {
    if (key[i] == '%' && ascii::is_hex_digit(key[i + 1]) && ascii::is_hex_digit(key[i + 2])) {
      key[i + 1] = upper(key[i + 1]);
      key[i + 2] = upper(key[i + 2]);
      i += 2;
    }
  }
  return key;
}

}  // namespace acrawl::crawler
