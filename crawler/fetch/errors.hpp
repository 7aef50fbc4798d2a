#pragma once
// The crawler's error vocabulary: one word per way a page can fail, the same in every mode.

#include <curl/curl.h>

#include <string_view>

namespace acrawl::crawler {

namespace error_words {
inline constexpr std::string_view timeout = "timeout";
inline constexpr std::string_view dns = "dns";
inline constexpr std::string_view refused = "refused";
inline constexpr std::string_view reset = "reset";
inline constexpr std::string_view empty_reply = "empty_reply";
inline constexpr std::string_view truncated = "truncated";
inline constexpr std::string_view too_large = "too_large";
inline constexpr std::string_view too_many_redirects = "too_many_redirects";
inline constexpr std::string_view invalid_url = "invalid_url";
inline constexpr std::string_view unsupported_scheme = "unsupported_scheme";
inline constexpr std::string_view tls = "tls";
inline constexpr std::string_view bad_encoding = "bad_encoding";
inline constexpr std::string_view protocol = "protocol";
inline constexpr std::string_view proxy = "proxy";  // the proxy was not reached or refused
inline constexpr std::string_view cancelled = "cancelled";
inline constexpr std::string_view robots_disallowed = "robots_disallowed";  // not fetched
inline constexpr std::string_view error = "error";
}  // namespace error_words

// The word for a failed transfer; empty for CURLE_OK. too_large: the body cap stopped it.
std::string_view error_word(CURLcode code, bool too_large) noexcept;

}  // namespace acrawl::crawler
