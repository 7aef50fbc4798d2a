#pragma once
// First look at an input URL: is it a URL at all, and one we may fetch (http or https)?
// Anything else is refused before it reaches curl, so no local file is ever read.

#include <string>
#include <string_view>

namespace acrawl::crawler {

enum class UrlVerdict { ok, invalid, unsupported_scheme };

struct CheckedUrl {
  UrlVerdict verdict = UrlVerdict::invalid;
  std::string reason;  // for a warning when not ok
};

// The scheme of s (lowercased) if s starts with one (`ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")
// ":"`), else empty.
std::string url_scheme(std::string_view s);

// Never throws but bad_alloc.
CheckedUrl check_url(std::string_view url);

}  // namespace acrawl::crawler
