#include "crawler/metrics/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace acrawl::crawler {

namespace {

bool numeric(const std::string& ip, int family) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(family, ip.c_str(), buf) == 1;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return std::nullopt;
  }
  ListenAddress address;
  address.port = static_cast<std::uint16_t>(port);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    address.ip = std::string(host.substr(1, host.size() - 2));
    if (!numeric(address.ip, AF_INET6)) return std::nullopt;
    return address;
  }
  address.ip = host == "localhost" ? "127.0.0.1" : std::string(host);
  if (!numeric(address.ip, AF_INET)) return std::nullopt;
  return address;
}

std::string url_authority(const ListenAddress& address) {
  const bool v6 = address.ip.find(':') != std::string::npos;
  return (v6 ? "[" + address.ip + "]" : address.ip) + ":" + std::to_string(address.port);
}

}  // namespace acrawl::crawler
