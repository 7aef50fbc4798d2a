#pragma once
// --metrics HOST:PORT, read strictly: a numeric address (or localhost), so that what the
// server binds to is exactly what the user wrote.

#include <optional>
#include <string>
#include <string_view>

#include "crawler/config.hpp"

namespace acrawl::crawler {

// "127.0.0.1:9100", "[::1]:9100", "0.0.0.0:0", "localhost:9100" (127.0.0.1). std::nullopt for
// anything else (a missing host or port, a host name, a port over 65535). Throws only
// std::bad_alloc.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// "127.0.0.1:9100", "[::1]:9100": how to write the address in a URL. Throws only std::bad_alloc.
std::string url_authority(const ListenAddress& address);

}  // namespace acrawl::crawler
