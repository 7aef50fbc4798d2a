#include "crawler/frontier/robots.hpp"

#include <cstdio>
#include <cstdlib>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

#include "crawler/text/ascii.hpp"

namespace acrawl::crawler {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t npos = std::string_view::npos;

using ascii::hex_value;
using ascii::trim_ascii_ws;

// ---------------------------------------------------------------------------------------------
// Percent-encoding normalization (RFC 9309 2.2.2): patterns and paths are brought to one form so
// that equal URIs compare equal octet by octet. %XX of an unreserved character is decoded (%7E is
// ~), any other %XX keeps its encoding with upper-case hex (%2F stays distinct from /), and octets
// that may not appear literally in a URI (non-ASCII, controls, space, stray '%') are encoded.

bool is_unreserved(unsigned char c) {
  return (c >= '0' && c <= '9') || ascii::is_ascii_alpha(static_cast<char>(c)) || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Octets kept as they are: unreserved and reserved characters (RFC 3986 2.2).
bool is_literal(unsigned char c) {
  return is_unreserved(c) || std::string_view(":/?#[]@!$&'()*+,;=").find(static_cast<char>(c)) !=
                                 std::string_view::npos;
}

void append_encoded(std::string& out, unsigned char c) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// Whether normalize() would change s (the common, already clean path skips the copy).
bool needs_normalizing(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == '%' || !is_literal(static_cast<unsigned char>(c)); });
}

void normalize_into(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && s.size() - i >= 3 && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      const auto v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(v)) {
        out += static_cast<char>(v);
      } else {
        append_encoded(out, v);
      }
      i += 2;
    } else if (c == '%' || !is_literal(c)) {
      append_encoded(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Wildcard matching. A pattern is literal segments separated by '*', maybe ending in '$'. The
// first segment must be a prefix of the path; each later one is found leftmost after the previous
// (greedy leftmost is exact for '*'-only globs), with KMP so that the scans never back up: a
// match costs O(path + pattern) whatever the input.

// The first occurrence of seg (non-empty) in text at or after `from`; fail holds seg's links.
std::size_t kmp_find(std::string_view text, std::size_t from, std::string_view seg,
                     const std::uint32_t* fail) {
  std::size_t k = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    while (k > 0 && text[i] != seg[k]) k = fail[k - 1];
    if (text[i] == seg[k]) ++k;
    if (k == seg.size()) return i + 1 - k;
  }
  return npos;
}

void build_failure_links(std::string_view seg, std::uint32_t* fail) {
  if (seg.empty()) return;
  fail[0] = 0;
  std::size_t k = 0;
  for (std::size_t i = 1; i < seg.size(); ++i) {
    while (k > 0 && seg[i] != seg[k]) k = fail[k - 1];
    if (seg[i] == seg[k]) ++k;
    fail[i] = static_cast<std::uint32_t>(k);
  }
}

struct Pattern {
  std::string_view body;  // without the anchoring '$'
  bool anchored;
};

Pattern split_anchor(std::string_view pattern) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  return {pattern, anchored};
}

// Failure links for every segment after the first, indexed by pattern offset.
std::vector<std::uint32_t> failure_links(std::string_view pattern) {
  const auto [pat, anchored] = split_anchor(pattern);
  std::size_t star = pat.find('*');
  if (star == npos) return {};
  std::vector<std::uint32_t> fail(pat.size(), 0);
  while (star != npos) {
    const std::size_t begin = star + 1;
    star = pat.find('*', begin);
    const std::size_t end = star == npos ? pat.size() : star;
    build_failure_links(pat.substr(begin, end - begin), fail.data() + begin);
  }
  return fail;
}

bool wildcard_match(std::string_view pattern, const std::vector<std::uint32_t>& fail,
                    std::string_view path) {
  const auto [pat, anchored] = split_anchor(pattern);
  std::size_t star = pat.find('*');
  if (star == npos) return anchored ? path == pat : path.starts_with(pat);
  if (!path.starts_with(pat.substr(0, star))) return false;
  std::size_t pos = star;  // path offset after the segments matched so far
  for (;;) {
    const std::size_t begin = star + 1;
    star = pat.find('*', begin);
    const std::string_view seg = pat.substr(begin, star == npos ? npos : star - begin);
    if (star == npos && anchored) {
      return path.size() - pos >= seg.size() && path.ends_with(seg);
    }
    if (!seg.empty()) {
      const std::size_t at = kmp_find(path, pos, seg, fail.data() + begin);
      if (at == npos) return false;
      pos = at + seg.size();
    }
    if (star == npos) return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Lines and fields.

enum class Field { kUnknown, kUserAgent, kAllow, kDisallow, kCrawlDelay, kSitemap };

// Field names in any ASCII case, with the misspellings Google's parser also accepts.
Field classify(std::string_view key) {
  static constexpr std::pair<std::string_view, Field> kNames[] = {
      {"user-agent", Field::kUserAgent},   {"useragent", Field::kUserAgent},
      {"user agent", Field::kUserAgent},   {"allow", Field::kAllow},
      {"disallow", Field::kDisallow},      {"dissallow", Field::kDisallow},
      {"dissalow", Field::kDisallow},      {"disalow", Field::kDisallow},
      {"diasllow", Field::kDisallow},      {"disallaw", Field::kDisallow},
      {"crawl-delay", Field::kCrawlDelay}, {"crawldelay", Field::kCrawlDelay},
      {"sitemap", Field::kSitemap},        {"site-map", Field::kSitemap},
  };
  for (const auto& [name, field] : kNames) {
    if (ascii::iequals(key, name)) return field;
  }
  return Field::kUnknown;
}

// The product token of a user-agent value or of our own name: "acrawl/1.0 (+url)" -> "acrawl".
std::string_view product_token(std::string_view value) {
  value = trim_ascii_ws(value);
  const std::size_t end = std::min(value.find('/'), value.find_first_of(" \t\v\f"));
  return value.substr(0, end);
}

std::optional<double> parse_delay(std::string_view value) {
  double d = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, d);
  if (value.empty() || ec != std::errc{} || ptr != end || !std::isfinite(d) || d < 0) {
    return std::nullopt;
  }
  return d + 0.0;  // -0 -> +0
}

// The parsed part of a body: at most kMaxBodyBytes, without a line cut by that limit.
std::string_view capped(std::string_view body) {
  constexpr std::size_t kMax = RobotsRules::kMaxBodyBytes;
  if (body.size() <= kMax) return body;
  if (body[kMax] == '\n' || body[kMax] == '\r') return body.substr(0, kMax);
  const std::size_t last_end = body.substr(0, kMax).find_last_of("\r\n");
  return last_end == npos ? std::string_view{} : body.substr(0, last_end + 1);
}

// The rules and delay of one set of groups (ours, or the "*" ones).
struct GroupSet {
  std::vector<std::pair<std::string, bool>> rules;  // normalized pattern, allow
  std::optional<double> delay;

  void add(const std::string& pattern, bool allow) {
    if (rules.size() < RobotsRules::kMaxRules) rules.emplace_back(pattern, allow);
  }
};

}  // namespace

RobotsRules RobotsRules::parse(std::string_view body, std::string_view product) {
  body = capped(body);
  if (body.starts_with(kBom)) body.remove_prefix(kBom.size());
  const std::string_view ours = product_token(product);

  RobotsRules out;
  GroupSet specific, global;
  bool seen_specific = false;  // some group names us: the "*" groups no longer apply
  bool in_agents = false;      // inside a run of user-agent lines; a rule line ends it
  bool group_specific = false, group_global = false;
  std::string pattern;

  while (!body.empty()) {
    const std::size_t eol = body.find_first_of("\r\n");
    std::string_view line = body.substr(0, eol);
    if (eol == npos) {
      body = {};
    } else {
      const bool crlf = body[eol] == '\r' && eol + 1 < body.size() && body[eol + 1] == '\n';
      body.remove_prefix(eol + (crlf ? 2 : 1));
    }
    line = line.substr(0, line.find('#'));
    const std::size_t colon = line.find(':');
    if (colon == npos) continue;
    const Field field = classify(trim_ascii_ws(line.substr(0, colon)));
    const std::string_view value = trim_ascii_ws(line.substr(colon + 1));

    switch (field) {
      case Field::kUserAgent: {
        if (!in_agents) group_specific = group_global = false;
        in_agents = true;
        const std::string_view token = product_token(value);
        if (token == "*") {
          group_global = true;
        } else if (!token.empty() && ascii::iequals(token, ours)) {
          group_specific = seen_specific = true;
        }
        break;
      }
      case Field::kAllow:
      case Field::kDisallow:
        in_agents = false;
        // An empty value allows nothing more and disallows nothing (RFC 9309 2.2.2).
        if (value.empty() || !(group_specific || group_global)) break;
        pattern.clear();
        normalize_into(pattern, value);
        if (group_specific) specific.add(pattern, field == Field::kAllow);
        if (group_global) global.add(pattern, field == Field::kAllow);
        break;
      case Field::kCrawlDelay:
        in_agents = false;
        if (group_specific && !specific.delay) specific.delay = parse_delay(value);
        if (group_global && !global.delay) global.delay = parse_delay(value);
        break;
      case Field::kSitemap:
        if (!value.empty()) out.sitemaps_.emplace_back(value);
        break;
      case Field::kUnknown:
        break;
    }
  }

  GroupSet& chosen = seen_specific ? specific : global;
  out.crawl_delay_ = chosen.delay;
  out.rules_.reserve(chosen.rules.size());
  for (auto& [pat, allow] : chosen.rules) {
    std::vector<std::uint32_t> fail = failure_links(pat);
    out.rules_.push_back(Rule{std::move(pat), std::move(fail), allow});
  }
  // Most octets first, allow before disallow on a tie: the first match is the answer.
  std::stable_sort(out.rules_.begin(), out.rules_.end(), [](const Rule& a, const Rule& b) {
    if (a.pattern.size() != b.pattern.size()) return a.pattern.size() > b.pattern.size();
    return a.allow && !b.allow;
  });
  return out;
}

std::string RobotsRules::serialize() const {
  std::string out;
  for (const Rule& r : rules_) {
    out += r.allow ? 'A' : 'D';
    out += r.pattern;
    out += '\n';
  }
  if (crawl_delay_) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "C%.17g\n", *crawl_delay_);
    out += buf;
  }
  for (const std::string& s : sitemaps_) {
    out += 'S';
    out += s;
    out += '\n';
  }
  return out;
}

RobotsRules RobotsRules::deserialize(std::string_view text) {
  RobotsRules out;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.empty()) continue;
    const char kind = line.front();
    line.remove_prefix(1);
    if (kind == 'A' || kind == 'D') {
      std::string pat(line);
      std::vector<std::uint32_t> fail = failure_links(pat);
      out.rules_.push_back(Rule{std::move(pat), std::move(fail), kind == 'A'});
    } else if (kind == 'C') {
      char* stop = nullptr;
      const std::string num(line);
      const double d = std::strtod(num.c_str(), &stop);
      if (stop != num.c_str()) out.crawl_delay_ = d;
    } else if (kind == 'S') {
      out.sitemaps_.emplace_back(line);
    }
  }
  return out;
}

RobotsRules RobotsRules::allow_all() noexcept {
  return RobotsRules{};
}

RobotsRules RobotsRules::disallow_all() {
  RobotsRules out;
  out.rules_.push_back(Rule{"/", {}, false});
  return out;
}

RobotsRules RobotsRules::unreachable() {
  RobotsRules out = disallow_all();
  out.unreachable_ = true;
  return out;
}

bool RobotsRules::allowed(std::string_view path_and_query) const {
  if (rules_.empty()) return true;
  std::string buf;
  std::string_view path = path_and_query;
  if (path.empty() || path.front() != '/' || needs_normalizing(path)) {
    if (path.empty() || path.front() != '/') buf += '/';
    normalize_into(buf, path);
    path = buf;
  }
  if (path.substr(0, path.find('?')) == "/robots.txt") return true;  // RFC 9309 2.2.2
  for (const Rule& rule : rules_) {
    if (wildcard_match(rule.pattern, rule.fail, path)) return rule.allow;
  }
  return true;
}

}  // namespace acrawl::crawler
