#pragma once
// When requests reached the fixture server: politeness is checked at the server.

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"

namespace acrawl::test {

// Request starts at the server whose target begins with prefix, in order.
inline std::vector<std::chrono::steady_clock::time_point> request_starts(
    const fixtures::FixtureServer& server, const std::string& prefix) {
  std::vector<std::chrono::steady_clock::time_point> out;
  for (const fixtures::LoggedRequest& r : server.request_log()) {
    if (r.target.starts_with(prefix)) out.push_back(r.started);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace acrawl::test
