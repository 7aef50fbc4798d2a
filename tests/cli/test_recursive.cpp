// End to end: recursive crawls with the built binary against fixture servers on loopback —
// every reachable page exactly once, scope, robots.txt, and politeness measured at the server.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/request_starts.hpp"
#include "tests/support/tsv_records.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::LoggedRequest;
using acrawl::fixtures::ServerOptions;
using acrawl::test::records;
using acrawl::test::request_starts;
using acrawl::test::run_process;
using acrawl::test::split;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> requested(const FixtureServer& server, const std::string& prefix = "") {
  std::vector<std::string> out;
  for (const LoggedRequest& r : server.request_log()) {
    if (r.target.starts_with(prefix)) out.push_back(r.target);
  }
  return out;
}

std::string temp_path() {
  char path[] = "/tmp/acrawl-links-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

acrawl::test::ProcessResult crawl(std::vector<std::string> args) {
  args.push_back("--no-progress");
  return run_process(ACRAWL_BIN, args, {}, 120s);
}

ServerOptions site(std::size_t pages, std::string robots = {}, int robots_status = 0) {
  ServerOptions o;
  o.site_pages = pages;
  o.robots_txt = std::move(robots);
  o.robots_status = robots_status;
  return o;
}

}  // namespace

TEST_CASE("recursive: the whole site, each page once with its title, the same in every mode") {
  FixtureServer server(site(300));
  const std::string b = server.base_url();
  std::map<std::string, std::pair<std::string, std::string>> expected;
  expected[b + "/site/"] = {"200", std::string(acrawl::fixtures::site_index_title())};
  for (std::size_t n = 0; n < 300; ++n) {
    expected[b + "/site/p/" + std::to_string(n) + ".html"] = {"200",
                                                              acrawl::fixtures::site_page_title(n)};
  }
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << std::string(mode));
    server.reset_stats();
    auto res = crawl({b + "/site/", "--depth", "100", "--mode", mode, "-c", "20"});
    CHECK(res.exit_code == 0);
    CHECK(records(res.out) == expected);
    // Eight spellings of each link (relative, dot segments, absolute, fragments) and cycles:
    // still one request per page, plus robots.txt.
    std::vector<std::string> got = requested(server);
    CHECK(got.size() == 302);
    CHECK(std::count(got.begin(), got.end(), "/robots.txt") == 1);
    CHECK(std::set<std::string>(got.begin(), got.end()).size() == got.size());
  }
}

TEST_CASE("recursive: --depth bounds the hops; each level is the links of the one before") {
  FixtureServer server(site(1000));
  const std::string b = server.base_url();
  CHECK(records(crawl({b + "/site/", "--depth", "0"}).out).size() == 1);
  // The index links to pages 0..99.
  auto depth1 = records(crawl({b + "/site/", "--depth", "1"}).out);
  CHECK(depth1.size() == 101);
  CHECK(depth1.count(b + "/site/p/99.html") == 1);
  CHECK(depth1.count(b + "/site/p/100.html") == 0);

  const std::string links = temp_path();
  auto res = crawl({b + "/site/", "--depth", "2", "--links-file", links, "--mode", "threads"});
  auto depth2 = records(res.out);
  std::set<std::string> want;
  for (const auto& [url, rec] : depth1) want.insert(url);
  for (const std::string& line : split(slurp(links), '\n')) {
    std::vector<std::string> f = split(line, '\t');
    REQUIRE(f.size() == 2);
    CHECK(f[1].find('#') == std::string::npos);  // fragments dropped
    CHECK(f[1].find("/./") == std::string::npos);
    CHECK(f[1].find("/../") == std::string::npos);
    if (depth1.count(f[0])) want.insert(f[1]);  // a link of a depth-1 page is at depth 2
  }
  std::remove(links.c_str());
  std::set<std::string> got;
  for (const auto& [url, rec] : depth2) got.insert(url);
  CHECK(got == want);
  CHECK(got.size() > 101);
}

TEST_CASE("recursive: --max-pages, --include and --exclude") {
  FixtureServer server(site(300));
  const std::string b = server.base_url();
  CHECK(records(crawl({b + "/site/", "--depth", "100", "--max-pages", "50"}).out).size() == 50);

  // The index links to pages 0..99; only 0..9 match, and they link among themselves too.
  auto only =
      records(crawl({b + "/site/", "--depth", "100", "--include", R"(/p/[0-9]\.html$)"}).out);
  CHECK(only.size() == 11);
  CHECK(only.count(b + "/site/p/9.html") == 1);

  auto even = records(
      crawl({b + "/site/", "--depth", "100", "--exclude", R"([13579]\.html$)", "--exclude", "/p/2"})
          .out);
  for (const auto& [url, rec] : even) {
    CHECK(url.find("/p/2") == std::string::npos);
    CHECK(!url.ends_with("1.html"));
    CHECK(!url.ends_with("3.html"));
  }
  CHECK(even.count(b + "/site/p/4.html") == 1);

  auto bad = crawl({b + "/site/", "--depth", "1", "--include", "(unclosed"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bad regular expression") != std::string::npos);
}

TEST_CASE("recursive: --scope prefix stays under the start URL's directory") {
  FixtureServer server(site(300));
  const std::string b = server.base_url();
  auto res = records(crawl({b + "/site/p/5.html", "--depth", "3", "--scope", "prefix"}).out);
  CHECK(res.size() > 10);
  CHECK(res.count(b + "/site/") == 0);  // every page links to the index ("../")
  for (const auto& [url, rec] : res) CHECK(url.starts_with(b + "/site/p/"));
  auto host = records(crawl({b + "/site/p/5.html", "--depth", "3"}).out);
  CHECK(host.count(b + "/site/") == 1);
}

TEST_CASE("robots.txt: longest match wins, disallowed pages get a record, never a request") {
  FixtureServer server(site(300,
                            "User-agent: other\nDisallow: /\n\nUser-agent: *\nDisallow: /site/p/1\n"
                            "Allow: /site/p/10.html\nDisallow: /*3.html$\n"));
  const std::string b = server.base_url();
  for (const char* mode : {"async", "sync"}) {
    INFO("mode " << std::string(mode));
    server.reset_stats();
    auto res = crawl({b + "/site/", "--depth", "100", "--mode", mode});
    auto got = records(res.out);
    CHECK(res.exit_code == 1);  // disallowed pages are not successes
    CHECK(got.size() == 301);
    CHECK(got[b + "/site/p/1.html"].first == "robots_disallowed");
    CHECK(got[b + "/site/p/150.html"].first == "robots_disallowed");
    CHECK(got[b + "/site/p/10.html"].first == "200");
    CHECK(got[b + "/site/p/3.html"].first == "robots_disallowed");
    CHECK(got[b + "/site/p/33.html"].first == "robots_disallowed");
    CHECK(got[b + "/site/p/2.html"].first == "200");
    for (const std::string& path : requested(server)) {
      CHECK(!(path.starts_with("/site/p/1") && path != "/site/p/10.html"));
      CHECK(!path.ends_with("3.html"));
    }
    CHECK(requested(server, "/robots.txt").size() == 1);
  }
}

TEST_CASE("robots.txt: a 5xx disallows the site (said once), a 4xx allows all, opt-out") {
  {
    FixtureServer server(site(50, "", 503));
    auto res =
        crawl({server.base_url() + "/site/", server.base_url() + "/site/p/1.html", "--depth", "5"});
    auto got = records(res.out);
    CHECK(got.size() == 2);
    for (const auto& [url, rec] : got) CHECK(rec.first == "robots_disallowed");
    CHECK(requested(server) == std::vector<std::string>{"/robots.txt"});
    auto first = res.err.find("robots.txt");
    REQUIRE(first != std::string::npos);
    CHECK(res.err.find("robots.txt", first + 1) == std::string::npos);
  }
  {
    FixtureServer server(site(50, "", 404));
    CHECK(records(crawl({server.base_url() + "/site/", "--depth", "100"}).out).size() == 51);
  }
  {
    FixtureServer server(site(50, "User-agent: *\nDisallow: /\n"));
    auto res = crawl({server.base_url() + "/site/", "--depth", "100", "--ignore-robots"});
    CHECK(records(res.out).size() == 51);
    CHECK(requested(server, "/robots.txt").empty());
  }
}

TEST_CASE("politeness: Crawl-delay and --delay space request starts at the server") {
  FixtureServer server(site(300, "User-agent: *\nCrawl-delay: 0.2\n"));
  const std::string b = server.base_url();
  auto res = crawl({b + "/site/", "--depth", "1", "--max-pages", "6", "-c", "20"});
  CHECK(records(res.out).size() == 6);
  auto t = request_starts(server, "/site/");
  REQUIRE(t.size() == 6);
  // The client starts each request on time; arrival at the server may shift (a slow connect
  // delays one arrival, bringing it closer to the next): a wide margin, still far from the
  // ~0 ms apart of requests without a delay.
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] >= 130ms);

  server.reset_stats();
  std::vector<std::string> args;
  for (int n = 0; n < 6; ++n) args.push_back(b + "/site/p/" + std::to_string(n) + ".html");
  for (std::string extra : {"--delay", "150", "-c", "20"}) args.push_back(extra);
  for (const char* mode : {"async", "threads"}) {
    server.reset_stats();
    std::vector<std::string> with_mode = args;
    with_mode.insert(with_mode.end(), {"--mode", mode});
    CHECK(records(crawl(with_mode).out).size() == 6);
    auto s = request_starts(server, "/site/");
    REQUIRE(s.size() == 6);
    for (std::size_t i = 1; i < s.size(); ++i) CHECK(s[i] - s[i - 1] >= 100ms);
  }
}

TEST_CASE("politeness: --per-host caps requests in flight at the server, in every mode") {
  FixtureServer server(site(300));
  const std::string b = server.base_url();
  std::string urls;
  for (int n = 0; n < 30; ++n) urls += b + "/delay/100/site/p/" + std::to_string(n) + ".html\n";
  for (const char* mode : {"async", "threads"}) {
    INFO("mode " << std::string(mode));
    server.reset_stats();
    auto res = run_process(ACRAWL_BIN,
                           {"-", "-c", "30", "--per-host", "3", "--mode", mode, "--no-progress"},
                           urls, 60s);
    CHECK(records(res.out).size() == 30);
    CHECK(server.stats().max_in_flight <= 3);
    CHECK(server.stats().max_in_flight >= 2);  // concurrent still, not one at a time
  }
}

TEST_CASE("politeness: a slow host never holds back a fast one") {
  FixtureServer slow(site(100));
  ServerOptions fast_options = site(300);
  fast_options.address = "127.0.0.2";
  FixtureServer fast(fast_options);
  std::vector<std::string> args;
  for (int n = 0; n < 12; ++n) {
    args.push_back(slow.base_url() + "/delay/2000/site/p/" + std::to_string(n) + ".html");
  }
  // The slow pages' own links are not followed: only the seeds are slow.
  args.insert(args.end(), {fast.base_url() + "/site/", "--depth", "100", "-c", "12",
                           "--ignore-robots", "--exclude", "127\\.0\\.0\\.1:"});
  auto res = crawl(args);
  auto lines = split(res.out, '\n');
  CHECK(lines.size() == 12 + 301);
  std::size_t last_fast = 0, first_slow = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with(fast.base_url())) last_fast = i;
    if (lines[i].starts_with(slow.base_url())) first_slow = std::min(first_slow, i);
  }
  // The slow host's 12 pages (8 at a time, 2 s each) end after 4 s; the fast site's 301 pages
  // are all written before the first slow one.
  CHECK(last_fast < first_slow);
}

TEST_CASE("politeness: Retry-After on a 429 pauses that host, not the crawl") {
  FixtureServer server(site(300));
  const std::string b = server.base_url();
  auto res = crawl({b + "/retry-after/1", b + "/site/p/1.html", b + "/site/p/2.html", "--per-host",
                    "1", "--retries", "0"});
  auto got = records(res.out);
  CHECK(got[b + "/retry-after/1"].first == "429");
  CHECK(got.size() == 3);
  std::vector<LoggedRequest> log = server.request_log();
  REQUIRE(log.size() == 3);
  CHECK(log[0].target == "/retry-after/1");
  CHECK(log[1].started - log[0].ended >= 900ms);
}

TEST_CASE("recursive: redirects are records; their targets are crawled only within scope") {
  FixtureServer server(site(10));
  const std::string b = server.base_url();
  auto res = crawl({b + "/redirect/2", "--depth", "1", "--format", "jsonl"});
  auto lines = split(res.out, '\n');
  CHECK(lines.size() == 3);
  CHECK(res.out.find(R"("status":302)") != std::string::npos);
  CHECK(res.out.find(R"("location":")" + b + "/redirect/1\"") != std::string::npos);
  CHECK(res.out.find(R"("title":"Redirect target")") != std::string::npos);

  server.reset_stats();
  auto out = crawl({b + "/redirect/1", "--depth", "1", "--exclude", "redirect/0"});
  auto got = records(out.out);
  CHECK(got.size() == 1);
  CHECK(got[b + "/redirect/1"].first == "302");
  CHECK(requested(server, "/redirect/0").empty());
}

TEST_CASE("non-HTML bodies: the record says the type, no title, no links") {
  FixtureServer server(site(10));
  const std::string b = server.base_url();
  auto res = crawl({b + "/binary", "--depth", "1", "--format", "jsonl", "--links"});
  CHECK(res.out.find(R"("content_type":"application/octet-stream")") != std::string::npos);
  CHECK(res.out.find(R"("title":null)") != std::string::npos);
  CHECK(res.out.find(R"("links":[])") != std::string::npos);
  auto list = crawl({b + "/site/p/1.html", "--links"});
  CHECK(list.exit_code == 2);  // --links is a JSONL feature
}

TEST_CASE("--links-file alone leaves JSONL records as they are; --links adds the links") {
  FixtureServer server(site(20));
  const std::string b = server.base_url();
  const std::string links = temp_path();
  auto file_only = crawl({b + "/site/p/1.html", "--format", "jsonl", "--links-file", links});
  CHECK(file_only.exit_code == 0);
  CHECK(file_only.out.find("\"links\"") == std::string::npos);
  CHECK(slurp(links).find(b + "/site/p/1.html\t" + b + "/") != std::string::npos);
  auto both = crawl({b + "/site/p/1.html", "--format", "jsonl", "--links", "--links-file", links});
  CHECK(both.exit_code == 0);
  CHECK(both.out.find("\"links\":[\"" + b + "/") != std::string::npos);
  std::remove(links.c_str());
}

TEST_CASE("robots.txt refusing a whole long input list: every URL recorded, in every mode") {
  // More input URLs than the frontier takes at once (its high water at -c 10 is 276): the
  // refusals empty the frontier without a single fetch, and the input must still go on.
  for (int status : {500, 0}) {
    FixtureServer server(site(1000, status == 0 ? "User-agent: *\nDisallow: /\n" : "", status));
    std::string urls;
    for (int n = 0; n < 600; ++n) {
      urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
    }
    for (const char* mode : {"async", "threads", "sync"}) {
      INFO("mode " << std::string(mode) << ", robots.txt status " << status);
      auto res =
          run_process(ACRAWL_BIN, {"-", "--depth", "1", "-c", "10", "--mode", mode}, urls, 120s);
      CHECK(res.exit_code == 1);
      auto got = records(res.out);
      CHECK(got.size() == 600);
      for (const auto& [url, rec] : got) CHECK(rec.first == "robots_disallowed");
      CHECK(requested(server, "/site/").empty());
    }
  }
}
