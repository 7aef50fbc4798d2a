// End to end: --sitemaps against the fixture server's sitemaps (fixtures/sitemaps/ and its
// generated ones) — what is listed is crawled once, in scope and obeying robots.txt, in every
// mode; hostile files are cut or refused with a warning, and the crawl goes on.

#include <doctest/doctest.h>

#include <unistd.h>

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
#include "tests/support/tsv_records.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::LoggedRequest;
using acrawl::fixtures::ServerOptions;
using acrawl::test::run_process;
using namespace std::chrono_literals;

namespace {

// url -> status column (the error word for a failure), from TSV; fails on a repeated URL.
std::map<std::string, std::string> statuses(const std::string& tsv) {
  std::map<std::string, std::string> out;
  for (auto& [url, record] : acrawl::test::records(tsv)) out[url] = record.first;
  return out;
}

std::size_t requests_of(const FixtureServer& server, const std::string& target) {
  std::size_t n = 0;
  for (const LoggedRequest& r : server.request_log()) n += r.target == target ? 1 : 0;
  return n;
}

acrawl::test::ProcessResult crawl(std::vector<std::string> args) {
  args.push_back("--no-progress");
  return run_process(ACRAWL_BIN, args, {}, 120s);
}

ServerOptions with_robots(std::string robots) {
  ServerOptions o;
  o.site_pages = 100;
  o.robots_txt = std::move(robots);
  return o;
}

std::string page(const std::string& base, int n) {
  return base + "/site/p/" + std::to_string(n) + ".html";
}

}  // namespace

TEST_CASE("sitemaps: robots.txt's Sitemap: lines, an index with a gzipped child, in every mode") {
  FixtureServer server(
      with_robots("User-agent: *\nDisallow: /site/p/11.html\n"
                  "Sitemap: {{base}}/sitemaps/index.xml\nSitemap: {{base}}/sitemaps/urlset.xml\n"
                  "Sitemap: {{base}}/sitemaps/text.txt\n"));
  const std::string b = server.base_url();
  std::map<std::string, std::string> expected{{b + "/site/", "200"}};
  for (int n : {1, 2, 3, 4, 5, 10, 12, 20, 21, 22, 50, 51}) expected[page(b, n)] = "200";
  expected[page(b, 11)] = "robots_disallowed";  // listed, but robots.txt says no
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << mode);
    server.reset_stats();
    auto res = crawl({b + "/site/", "--sitemaps", "--mode", mode});
    INFO(res.err);
    CHECK(res.exit_code == 1);  // the disallowed page
    CHECK(statuses(res.out) == expected);
    // Each sitemap read once; the depth-0 crawl follows no links of the pages.
    CHECK(requests_of(server, "/sitemaps/index.xml") == 1);
    CHECK(requests_of(server, "/sitemaps/child-b.xml.gz") == 1);
    CHECK(requests_of(server, "/robots.txt") == 1);
    CHECK(requests_of(server, "/sitemap.xml") == 0);  // robots.txt named them
    CHECK(requests_of(server, "/site/p/0.html") == 0);
  }
}

TEST_CASE("sitemaps: /sitemap.xml without Sitemap: lines; --ignore-robots reads them anyway") {
  FixtureServer server(with_robots("User-agent: *\nDisallow: /site/p/3.html\n"));
  const std::string b = server.base_url();
  auto res = crawl({b + "/site/", "--sitemaps"});
  CHECK(res.exit_code == 0);
  CHECK(requests_of(server, "/sitemap.xml") == 1);  // a 404 here: only the seed
  CHECK(statuses(res.out).size() == 1);

  FixtureServer named(with_robots(
      "User-agent: *\nDisallow: /site/p/3.html\nSitemap: {{base}}/sitemaps/urlset.xml\n"));
  const std::string n = named.base_url();
  res = crawl({n + "/site/", "--sitemaps", "--ignore-robots", "--mode", "threads"});
  CHECK(res.exit_code == 0);
  const auto got = statuses(res.out);
  CHECK(got.size() == 6);
  CHECK(got.at(page(n, 3)) == "200");  // robots.txt read for its sitemaps only
  CHECK(requests_of(named, "/robots.txt") == 1);
}

TEST_CASE("sitemaps: indexes nested a few levels, a loop, other hosts, --depth 1") {
  FixtureServer server(
      with_robots("Sitemap: {{base}}/sitemaps/nested-1.xml\nSitemap: {{base}}/sitemaps/loop.xml\n"
                  "Sitemap: {{base}}/sitemaps/offsite.xml\n"));
  const std::string b = server.base_url();
  auto res = crawl({b + "/site/", "--sitemaps"});
  INFO(res.err);
  CHECK(res.exit_code == 0);
  const auto got = statuses(res.out);
  // loop.xml lists itself and child-a.xml; offsite.xml lists page 30 and a page on 127.0.0.9,
  // outside the host scope; nested-6.xml is six levels down and never read.
  const std::map<std::string, std::string> expected{{b + "/site/", "200"},
                                                    {page(b, 10), "200"},
                                                    {page(b, 11), "200"},
                                                    {page(b, 12), "200"},
                                                    {page(b, 30), "200"}};
  CHECK(got == expected);
  CHECK(requests_of(server, "/sitemaps/loop.xml") == 1);
  CHECK(requests_of(server, "/sitemaps/nested-4.xml") == 1);
  CHECK(requests_of(server, "/sitemaps/nested-5.xml") == 0);
  CHECK(res.err.find("nested more than 4 deep") != std::string::npos);

  // --scope any admits the other host's page; nothing listens on 127.0.0.9:9, so its
  // robots.txt is unreachable and the page is refused as robots.txt policy says.
  res = crawl({b + "/site/", "--sitemaps", "--scope", "any", "--retries", "0"});
  CHECK(statuses(res.out).at("http://127.0.0.9:9/site/p/31.html") == "robots_disallowed");

  // With --depth 1 the listed pages' links are followed too (the index page links to 0..99).
  FixtureServer one(with_robots("Sitemap: {{base}}/sitemaps/child-a.xml\n"));
  res = crawl({one.base_url() + "/site/p/99.html", "--sitemaps", "--depth", "1"});
  CHECK(res.exit_code == 0);
  CHECK(statuses(res.out).count(page(one.base_url(), 10)) == 1);
  CHECK(statuses(res.out).size() > 4);
}

TEST_CASE("sitemaps: malformed, billion laughs, XXE and a gzip bomb: warned, cut, crawl goes on") {
  FixtureServer server(with_robots(
      "Sitemap: {{base}}/sitemaps/malformed.xml\nSitemap: {{base}}/sitemaps/billion-laughs.xml\n"
      "Sitemap: {{base}}/sitemaps/xxe.xml\nSitemap: {{base}}/sitemap-bomb/1024.xml.gz\n"));
  const std::string b = server.base_url();
  const std::string stats = "/tmp/acrawl-sitemap-stats-" + std::to_string(::getpid()) + ".json";
  for (const char* mode : {"async", "sync"}) {
    INFO("mode " << mode);
    auto res = crawl({b + "/site/", "--sitemaps", "--mode", mode, "--stats-json", stats});
    INFO(res.err);
    CHECK(res.exit_code == 0);
    // Before the broken tag of malformed.xml: pages 40 and 41, not 42; the bomb's one URL.
    const std::map<std::string, std::string> expected{
        {b + "/site/", "200"}, {page(b, 0), "200"}, {page(b, 40), "200"}, {page(b, 41), "200"}};
    CHECK(statuses(res.out) == expected);
    CHECK(res.err.find("malformed.xml: XML error") != std::string::npos);
    CHECK(res.err.find("billion-laughs.xml: sitemap declares entities: refused") !=
          std::string::npos);
    CHECK(res.err.find("xxe.xml: sitemap declares entities: refused") != std::string::npos);
    CHECK(res.err.find("larger than 50 MiB") != std::string::npos);
    // 1 GiB decompressed, read 50 MiB at most and never held whole. (Not under a sanitizer:
    // ASan keeps freed memory in quarantine, 256 MB of it, and TSan shadows all it touches.)
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    std::ifstream in(stats);
    std::stringstream json;
    json << in.rdbuf();
    const std::string text = json.str();
    const std::size_t at = text.find("\"peak_rss_kb\":");
    REQUIRE(at != std::string::npos);
    CHECK(std::stol(text.substr(at + 14)) < 150 * 1024);
#endif
  }
  std::remove(stats.c_str());
}

TEST_CASE("sitemaps: more than 50,000 URLs: the first 50,000, with a warning") {
  FixtureServer server(with_robots("Sitemap: {{base}}/sitemap-gen/50010.xml.gz\n"));
  const std::string b = server.base_url();
  // --max-pages keeps the crawl small; the sitemap is read whole all the same.
  auto res = crawl({b + "/site/", "--sitemaps", "--max-pages", "5"});
  INFO(res.err);
  CHECK(res.err.find("more than 50,000 URLs: the rest ignored") != std::string::npos);
  CHECK(statuses(res.out).size() <= 5);
  CHECK(statuses(res.out).count(page(b, 0)) == 1);
}
