// TlsTrust: the trusted certificates are parsed once per process, whatever the number of
// handles and connections; a location that cannot be used is a configuration error.

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "crawler/config.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/fetch/tls_trust.hpp"
#include "tests/support/test_ca.hpp"

using acrawl::crawler::ConfigError;
using acrawl::crawler::Fetch;
using acrawl::crawler::FetchOptions;
using acrawl::crawler::TlsTrust;

TEST_CASE("tls trust: one store per set of locations, shared by every handle") {
  acrawl::test::TestCa ca;
  const TlsTrust& first = TlsTrust::shared(ca.ca_file(), "");
  CHECK(first.objects() == 1);  // the test CA
  FetchOptions options;
  options.ca_file = ca.ca_file();
  std::vector<std::unique_ptr<Fetch>> handles;
  for (int i = 0; i < 100; ++i) handles.push_back(std::make_unique<Fetch>(options));
  CHECK(&TlsTrust::shared(ca.ca_file(), "") == &first);
  const TlsTrust& by_dir = TlsTrust::shared("", ca.ca_dir());
  CHECK(&by_dir != &first);
  CHECK(&TlsTrust::shared("", ca.ca_dir()) == &by_dir);
}

TEST_CASE("tls trust: an unreadable or empty CA file, or a missing directory, is a ConfigError") {
  acrawl::test::TestCa ca;
  CHECK_THROWS_AS(TlsTrust::shared(ca.dir() + "/missing.pem", ""), ConfigError);
  CHECK_THROWS_AS(TlsTrust::shared(ca.key_file() + ".absent", ""), ConfigError);
  CHECK_THROWS_AS(TlsTrust::shared("", ca.dir() + "/no-such-dir"), ConfigError);
  FetchOptions options;
  options.ca_file = ca.dir() + "/missing.pem";
  CHECK_THROWS_AS(Fetch{options}, ConfigError);
}
