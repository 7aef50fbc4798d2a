// End to end: --metrics. A crawl is held on its last page (a fixture barrier) while a scraper
// with Debian's Prometheus text parser (python3-prometheus-client) reads /metrics and /status;
// the figures must equal what the crawl's records say, in every mode.

#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::ServerOptions;
using acrawl::test::Child;
using acrawl::test::run_process;
using acrawl::test::TempDir;
using acrawl::test::write_file;
using namespace std::chrono_literals;

namespace {

const char* const kPython = "/usr/bin/python3";  // Debian's, where its packages are
const std::string kScraper = std::string(ACRAWL_TESTS_DIR) + "/cli/metrics_scrape.py";

ServerOptions disallowing_private() {
  ServerOptions o;
  o.site_pages = 10;
  o.robots_txt = "User-agent: *\nDisallow: /private/\n";
  return o;
}

// The metrics address acrawl logged, as "http://127.0.0.1:PORT".
std::string metrics_base(const std::string& err) {
  std::smatch m;
  REQUIRE(std::regex_search(err, m, std::regex("metrics on (http://127\\.0\\.0\\.1:[0-9]+)/")));
  return m[1].str();
}

}  // namespace

TEST_CASE("metrics: /metrics and /status during a crawl agree with its records, in every mode") {
  for (const std::string mode : {"async", "threads", "sync"}) {
    CAPTURE(mode);
    FixtureServer server(disallowing_private());
    ServerOptions second_host = disallowing_private();
    second_host.address = "127.0.0.2";
    FixtureServer other(second_host);
    const std::string base = server.base_url();
    TempDir dir;
    std::vector<std::string> urls;
    for (int i = 0; i < 6; ++i) urls.push_back(base + "/site/p/" + std::to_string(i) + ".html");
    for (int i = 0; i < 2; ++i)
      urls.push_back(other.base_url() + "/site/p/" + std::to_string(i) + ".html");
    urls.push_back(base + "/status/404");
    urls.push_back(base + "/status/404?again");
    urls.push_back(base + "/status/503");  // retried
    urls.push_back(base + "/private/a");   // robots.txt refuses these
    urls.push_back(base + "/private/b");
    urls.push_back("http://127.0.0.3:1/");  // refused: its robots.txt too
    const std::size_t done = urls.size();
    urls.push_back(base + "/barrier/2/site/p/7.html");  // held until the scraper's release
    std::string list;
    for (const std::string& u : urls) list += u + "\n";
    const std::string input = dir.path() + "/urls.txt";
    const std::string records = dir.path() + "/records.jsonl";
    const std::string scraped = dir.path() + "/scraped.json";
    write_file(input, list);

    // --depth 1 with links never followed: robots.txt is obeyed, the records stay the inputs'.
    // One transfer at a time would start the held page before a retry: sync retries nothing.
    const std::string retries = mode == "sync" ? "0" : "2";
    Child crawl(ACRAWL_BIN,
                {input,       "--mode",     mode,      "-c",        "4",     "--depth",
                 "1",         "--include",  "^never$", "--retries", retries, "--retry-delay",
                 "1",         "--format",   "jsonl",   "-o",        records, "--no-progress",
                 "--metrics", "127.0.0.1:0"});
    REQUIRE(crawl.wait_stderr("metrics on http://", 1, 30s));
    const std::string metrics = metrics_base(crawl.err());

    auto scrape = run_process(kPython,
                              {kScraper, "scrape", metrics, std::to_string(done),
                               base + "/barrier/2/site/p/8.html", scraped},
                              {}, 120s);
    INFO(scrape.err);
    INFO(crawl.err());
    REQUIRE(scrape.exit_code == 0);
    CHECK(crawl.wait(60000ms) == 1);  // some pages failed, as meant
    auto check = run_process(kPython, {kScraper, "check", scraped, records}, {}, 60s);
    INFO(check.out, check.err);
    CHECK(check.exit_code == 0);
  }
}

TEST_CASE("metrics: a bad address is a usage error, a taken one too, before any output") {
  FixtureServer server;
  TempDir dir;
  const std::string out = dir.path() + "/out.tsv";
  for (const char* bad :
       {"9100", "127.0.0.1", "example.com:9100", "127.0.0.1:65536", "[::1:9100", "127.0.0.1:-1"}) {
    CAPTURE(bad);
    auto r = run_process(ACRAWL_BIN, {server.base_url() + "/", "--metrics", bad});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("HOST:PORT") != std::string::npos);
    CHECK(r.out.empty());
  }
  const std::string taken = "127.0.0.1:" + std::to_string(server.port());
  auto r = run_process(ACRAWL_BIN, {server.base_url() + "/", "--metrics", taken, "-o", out});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("cannot listen") != std::string::npos);
  CHECK(r.err.find("in use") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(server.stats().requests == 0);  // nothing fetched either
  // An address of no interface here (TEST-NET-1): refused by bind, no packet sent.
  r = run_process(ACRAWL_BIN, {server.base_url() + "/", "--metrics", "192.0.2.1:9100"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("cannot listen") != std::string::npos);
}
