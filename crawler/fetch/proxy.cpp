#include "crawler/fetch/proxy.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include "crawler/text/ascii.hpp"

namespace acrawl::crawler {

namespace {

std::optional<std::string> first_set(const EnvLookup& env, const char* a, const char* b) {
  if (std::optional<std::string> v = env(a); v && !v->empty()) return v;
  if (b != nullptr) {
    if (std::optional<std::string> v = env(b); v && !v->empty()) return v;
  }
  return std::nullopt;
}

void check_proxy_url(const std::string& url) {
  if (url.empty()) return;
  const std::size_t sep = url.find("://");
  std::string scheme = sep == std::string::npos ? "http" : url.substr(0, sep);
  for (char& c : scheme) c = ascii::ascii_lower(c);
  static constexpr std::array<std::string_view, 6> kSchemes{"http",    "https",  "socks4",
                                                            "socks4a", "socks5", "socks5h"};
  bool known = false;
  for (std::string_view s : kSchemes) known = known || s == scheme;
  if (!known) {
    throw ConfigError("proxy " + url + ": scheme '" + scheme +
                      "' is not one of http, https, socks4, socks4a, socks5, socks5h");
  }
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (scheme == "https" && (info->features & CURL_VERSION_HTTPS_PROXY) == 0) {
    throw ConfigError("proxy " + url + ": libcurl " + info->version +
                      " cannot talk TLS to a proxy (no HTTPS-proxy support)");
  }
}

// An address of host (IPv4, or IPv6 without brackets) as bytes; 0 bytes when not an address.
struct Address {
  std::array<unsigned char, 16> bytes{};
  int bits = 0;  // 32 or 128; 0: not an address
};

Address address_of(std::string_view text) noexcept {
  Address a;
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= sizeof buf) return a;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (::inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.bits = 32;
  } else if (::inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.bits = 128;
  }
  return a;
}

bool same_prefix(const Address& a, const Address& b, int bits) noexcept {
  for (int i = 0; i < bits / 8; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a.bytes[bits / 8] & mask) == (b.bytes[bits / 8] & mask);
}

bool entry_matches(std::string_view entry, std::string_view host, const Address& host_ip) {
  if (host_ip.bits > 0) {
    const std::size_t slash = entry.find('/');
    const Address net = address_of(entry.substr(0, slash));
    if (net.bits != host_ip.bits) return false;
    int bits = net.bits;
    if (slash != std::string_view::npos) {
      const std::string_view n = entry.substr(slash + 1);
      if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != n.npos) return false;
      bits = std::atoi(std::string(n).c_str());
      if (bits > net.bits) return false;
    }
    return same_prefix(net, host_ip, bits);
  }
  if (entry.starts_with('.')) entry.remove_prefix(1);
  if (entry.ends_with('.')) entry.remove_suffix(1);
  if (entry.empty() || entry.size() > host.size()) return false;
  if (!ascii::iequals(host.substr(host.size() - entry.size()), entry)) return false;
  return entry.size() == host.size() || host[host.size() - entry.size() - 1] == '.';
}

}  // namespace

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

ProxyOptions resolve_proxies(const std::string& proxy, const std::optional<std::string>& no_proxy,
                             const EnvLookup& env) {
  ProxyOptions p;
  if (!proxy.empty()) {
    p.http = p.https = proxy;
  } else {
    const std::optional<std::string> all = first_set(env, "all_proxy", "ALL_PROXY");
    p.http = first_set(env, "http_proxy", nullptr).value_or(all.value_or(""));
    p.https = first_set(env, "https_proxy", "HTTPS_PROXY").value_or(all.value_or(""));
  }
  p.no_proxy = no_proxy ? *no_proxy : first_set(env, "no_proxy", "NO_PROXY").value_or("");
  check_proxy_url(p.http);
  check_proxy_url(p.https);
  return p;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host) noexcept {
  // As curl 7.88 reads it: "*" exempts everything only as the whole list.
  if (ascii::trim_ascii_ws(no_proxy) == "*") return true;
  if (host.ends_with('.')) host.remove_suffix(1);
  const Address host_ip = address_of(host);
  std::size_t at = 0;
  while (at < no_proxy.size()) {
    std::size_t end = no_proxy.find_first_of(", ", at);
    if (end == std::string_view::npos) end = no_proxy.size();
    const std::string_view entry = no_proxy.substr(at, end - at);
    at = end + 1;
    if (entry.empty()) continue;
    if (entry_matches(entry, host, host_ip)) return true;
  }
  return false;
}

const std::string& proxy_for(const ProxyOptions& proxies, bool https,
                             std::string_view host) noexcept {
  static const std::string direct;
  const std::string& proxy = https ? proxies.https : proxies.http;
  if (proxy.empty() || no_proxy_matches(proxies.no_proxy, host)) return direct;
  return proxy;
}

}  // namespace acrawl::crawler
