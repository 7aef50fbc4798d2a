// Fetch: the easy-handle configuration every mode shares. Options libcurl refuses fail loudly.

#include <doctest/doctest.h>

#include <stdexcept>

#include "crawler/fetch/fetch.hpp"

using namespace acrawl::crawler;

TEST_CASE("fetch: an option libcurl refuses is an error naming it, not a silently other crawl") {
  FetchOptions redirects;
  redirects.max_redirects = -5;  // libcurl takes -1 (no limit) and up
  CHECK_THROWS_WITH_AS(Fetch{redirects}, doctest::Contains("CURLOPT_MAXREDIRS"),
                       std::runtime_error);
  CHECK_NOTHROW(Fetch{FetchOptions{}});
}

TEST_CASE("fetch: a URL libcurl refuses becomes the transfer's outcome, not an exception") {
  Fetch fetch{FetchOptions{}};
  const std::string too_long(9 * 1024 * 1024, 'a');  // over libcurl's 8 MB string limit
  const CURLcode refused = fetch.prepare("http://a.test/" + too_long);
  CHECK(refused != CURLE_OK);
  FetchResult r = fetch.finish(refused);
  CHECK(r.code == refused);
  CHECK(fetch.prepare("http://a.test/") == CURLE_OK);
}
