// URL resolution speed: the link shapes a crawl meets most, resolved against one page and
// turned into dedup keys, as the parse stage and the planner do for every link. Prints ns per
// link, best of --trials (default 5). Run by hand: build/bench/micro_url [--trials N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "crawler/url/url.hpp"

using acrawl::crawler::Url;

int main(int argc, char** argv) {
  int trials = 5;
  if (argc == 3 && std::strcmp(argv[1], "--trials") == 0) trials = std::atoi(argv[2]);
  const std::optional<Url> base = Url::parse("https://www.example.com/docs/guide/intro.html?x=1");
  const char* forms[] = {"/assets/page-%d.html",
                         "../chapter-%d/index.html?lang=en#top",
                         "section-%d.html",
                         "https://other.example.org/a/%d/b",
                         "#anchor-%d",
                         "?page=%d",
                         "//cdn.example.net/img/%d.png",
                         "./sub dir/%d/../file%%20name.html"};
  constexpr int kLinks = 100'000;
  double best = 1e300;
  std::size_t sink = 0;
  for (int t = 0; t < trials; ++t) {
    const auto start = std::chrono::steady_clock::now();
    char link[128];
    for (int i = 0; i < kLinks; ++i) {
      std::snprintf(link, sizeof link, forms[i % 8], i);
      if (std::optional<Url> u = Url::parse(link, &*base)) sink += dedup_key(*u).size();
    }
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ns / kLinks);
  }
  std::printf("| url resolve + dedup key | %d links | best %.0f ns/link | (%zu bytes) |\n", kLinks,
              best, sink);
  return 0;
}
