// End to end: retries of transient failures — which failures, how often, how far apart — with
// the built binary against the fixture server, in every mode.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::LoggedRequest;
using acrawl::test::run_process;
using namespace std::chrono_literals;

namespace {

// url -> the JSONL line of its record.
std::map<std::string, std::string> by_url(const std::string& jsonl) {
  std::map<std::string, std::string> out;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find("\"url\":\"") + 7;
    out[line.substr(start, line.find('"', start) - start)] = line;
  }
  return out;
}

std::vector<LoggedRequest> requests_for(const FixtureServer& server, const std::string& target) {
  std::vector<LoggedRequest> out;
  for (const LoggedRequest& r : server.request_log()) {
    if (r.target == target) out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("retries: transient failures are tried again with backoff; the record counts attempts") {
  FixtureServer server;
  const std::string b = server.base_url();
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << std::string(mode));
    server.reset_stats();
    const std::string recovers = "/flaky/2/" + std::string(mode) + "-a";
    const std::string stays = "/flaky/9/" + std::string(mode) + "-b";
    auto res =
        run_process(ACRAWL_BIN,
                    {b + recovers, b + stays, b + "/reset", b + "/status/404", b + "/status/500",
                     "--retry-delay", "100", "--format", "jsonl", "--mode", mode, "--no-progress"},
                    {}, 60s);
    auto records = by_url(res.out);
    REQUIRE(records.size() == 5);
    CHECK(records[b + recovers].find(R"("status":200)") != std::string::npos);
    CHECK(records[b + recovers].find(R"("attempts":3)") != std::string::npos);
    CHECK(records[b + stays].find(R"("status":503)") != std::string::npos);
    CHECK(records[b + stays].find(R"("attempts":3)") != std::string::npos);
    CHECK(records[b + "/reset"].find(R"("error":"reset")") != std::string::npos);
    CHECK(records[b + "/reset"].find(R"("attempts":3)") != std::string::npos);
    CHECK(records[b + "/status/404"].find(R"("attempts":1)") != std::string::npos);
    CHECK(records[b + "/status/500"].find(R"("attempts":1)") != std::string::npos);
    CHECK(requests_for(server, recovers).size() == 3);
    CHECK(requests_for(server, stays).size() == 3);
    CHECK(requests_for(server, "/status/404").size() == 1);
    CHECK(requests_for(server, "/status/500").size() == 1);
    // Backoff: 100 ms then 200 ms, each jittered by 0.5x to 1.5x. (Not measured on /reset:
    // curl itself re-sends a request that dies on a reused keep-alive connection.)
    auto tries = requests_for(server, stays);
    REQUIRE(tries.size() == 3);
    CHECK(tries[1].started - tries[0].started >= 45ms);
    CHECK(tries[2].started - tries[1].started >= 95ms);
    CHECK(tries[2].started - tries[1].started <= 2s);
  }
}

TEST_CASE("retries: --retries 0 tries once; Retry-After sets the earliest retry") {
  FixtureServer server;
  const std::string b = server.base_url();
  auto once = run_process(ACRAWL_BIN, {b + "/reset", "--retries", "0", "--no-progress"}, {}, 60s);
  CHECK(once.out.find("reset") != std::string::npos);
  auto flaky =
      run_process(ACRAWL_BIN, {b + "/flaky/1/once", "--retries", "0", "--no-progress"}, {}, 60s);
  CHECK(flaky.out.find("\t503\t") != std::string::npos);
  CHECK(requests_for(server, "/flaky/1/once").size() == 1);

  server.reset_stats();
  auto res = run_process(
      ACRAWL_BIN, {b + "/retry-after/1", "--retries", "1", "--retry-delay", "10", "--no-progress"},
      {}, 60s);
  CHECK(res.out.find("\t429\t") != std::string::npos);
  auto tries = requests_for(server, "/retry-after/1");
  REQUIRE(tries.size() == 2);
  CHECK(tries[1].started - tries[0].ended >= 950ms);
}
