#pragma once
// Which proxy a transfer goes through: --proxy or the environment, as curl reads them, decided
// by acrawl per URL (so that a failed connection is known to be the proxy's, see Fetch).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/config.hpp"

namespace acrawl::crawler {

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;
// The process environment.
std::optional<std::string> process_env(const char* name);

// The proxies of a crawl: proxy (--proxy; empty: from the environment) for both schemes, and
// no_proxy (--noproxy; nullopt: no_proxy or NO_PROXY). The environment as curl reads it:
// http_proxy (lowercase only: a CGI's HTTP_PROXY comes from a request header), https_proxy or
// HTTPS_PROXY, then all_proxy or ALL_PROXY. Throws ConfigError for a proxy URL with a scheme
// curl cannot use (http, https, socks4, socks4a, socks5, socks5h; none means http), or an
// https:// proxy this libcurl cannot talk to.
ProxyOptions resolve_proxies(const std::string& proxy, const std::optional<std::string>& no_proxy,
                             const EnvLookup& env = process_env);

// True when no_proxy (curl's syntax) exempts host: "*" (alone) exempts all; otherwise a list split
// on
// ',' and ' ', each entry a name that matches itself and its subdomains (a leading '.' is
// ignored), an IP address, or an IP range in CIDR notation. host as in a URL (IPv6 in
// brackets). Never throws.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host) noexcept;

// The proxy URL for a transfer to host over https (or http); empty: direct. Never throws.
const std::string& proxy_for(const ProxyOptions& proxies, bool https,
                             std::string_view host) noexcept;

}  // namespace acrawl::crawler
