// Fetch: the easy-handle configuration every mode shares. Options libcurl refuses fail loudly.

#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "crawler/fetch/fetch.hpp"
#include "crawler/parse/page_record.hpp"
#include "fixtures/server/fixture_server.hpp"

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

// ---------------------------------------------------------------------------------------------
// title_only: keep no more of a body than settles its title

namespace {

struct Fetched {
  FetchResult result;
  PageRecord record;
};

Fetched fetch_title_only(const std::string& url, bool title_only = true) {
  FetchOptions options;
  options.title_only = title_only;
  Fetch fetch{options};
  REQUIRE(fetch.prepare(url) == CURLE_OK);
  const CURLcode code = curl_easy_perform(fetch.easy());
  FetchResult result = fetch.finish(code);
  FetchResult copy = result;
  return Fetched{std::move(copy), build_record(url, std::move(result))};
}

std::uintmax_t file_size(const std::string& page) {
  return std::filesystem::file_size(std::string(ACRAWL_FIXTURES_DIR) + "/pages/" + page);
}

}  // namespace

TEST_CASE("fetch title_only: a long page's head is kept, every byte counted, the title as whole") {
  acrawl::fixtures::FixtureServer server;
  const std::string base = server.base_url() + "/pages/";
  for (const char* page : {"long-undeclared-utf8-late.html", "long-undeclared-invalid-late.html",
                           "long-title-commented-first.html", "long-title-later-wins-not.html"}) {
    INFO("page ", std::string(page));
    Fetched cut = fetch_title_only(base + page);
    Fetched whole = fetch_title_only(base + page, false);
    CHECK(cut.result.body_cut);
    CHECK_FALSE(whole.result.body_cut);
    // Each has about 7.6 KB of padding after its settled title.
    CHECK(cut.result.body.size() + 3000 < whole.result.body.size());
    CHECK(cut.result.bytes == file_size(page));
    CHECK(cut.record.bytes == whole.record.bytes);
    CHECK(cut.record.title == whole.record.title);
    CHECK(cut.record.encoding == whole.record.encoding);
    CHECK(cut.record.encoding_source == whole.record.encoding_source);
  }
  // The late bytes decide an undeclared encoding, though they were not kept.
  CHECK(fetch_title_only(base + "long-undeclared-utf8-late.html").record.encoding == "UTF-8");
  CHECK(fetch_title_only(base + "long-undeclared-invalid-late.html").record.encoding ==
        "windows-1252");
}

TEST_CASE("fetch title_only: a title the head does not settle keeps the whole body") {
  acrawl::fixtures::FixtureServer server;
  const std::string page = "long-title-in-body.html";
  Fetched f = fetch_title_only(server.base_url() + "/pages/" + page);
  CHECK_FALSE(f.result.body_cut);
  CHECK(f.result.body.size() == file_size(page));
  CHECK(f.record.title == "Late in the body");
}
