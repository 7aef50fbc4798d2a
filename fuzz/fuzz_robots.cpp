// robots.txt: any bytes parse; matching terminates and /robots.txt is always allowed.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crawler/frontier/robots.hpp"

using acrawl::crawler::RobotsRules;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const RobotsRules rules = RobotsRules::parse(body, "acrawl");
  if (!rules.allowed("/robots.txt")) std::abort();
  // Paths taken from the file itself exercise the patterns it declares.
  std::size_t start = 0;
  for (int i = 0; i < 16 && start < body.size(); ++i) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      (void)rules.allowed(line.substr(colon + 1));
    }
    start = end + 1;
  }
  if (auto delay = rules.crawl_delay(); delay && (!std::isfinite(*delay) || *delay < 0)) {
    std::abort();
  }
  return 0;
}
