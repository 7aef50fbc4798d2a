#include "crawler/url/check.hpp"

#include "crawler/text/ascii.hpp"
#include "crawler/url/url.hpp"

namespace acrawl::crawler {

std::string url_scheme(std::string_view s) {
  if (s.empty() || !ascii::is_ascii_alpha(s[0])) return {};
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') {
      std::string scheme(s.substr(0, i));
      for (char& ch : scheme) ch = ascii::ascii_lower(ch);
      return scheme;
    }
    if (!ascii::is_ascii_alnum(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

CheckedUrl check_url(std::string_view url) {
  std::string scheme = url_scheme(url);
  if (scheme.empty()) return {UrlVerdict::invalid, "not an absolute URL (missing scheme?)"};
  if (scheme != "http" && scheme != "https") {
    return {UrlVerdict::unsupported_scheme, "scheme '" + scheme + "' is not http or https"};
  }
  // The WHATWG parser decides, as a browser would: "a b" in a path is "a%20b", not an error.
  if (!Url::parse(url)) return {UrlVerdict::invalid, "not a valid URL"};
  return {UrlVerdict::ok, {}};
}

}  // namespace acrawl::crawler
