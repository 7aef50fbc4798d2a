#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <string>

#include "crawler/input/url_source.hpp"
#include "crawler/url/check.hpp"

using namespace acrawl::crawler;

namespace {
std::string temp_file(const std::string& content) {
  char path[] = "/tmp/acrawl-input-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::close(fd);
  return path;
}
}  // namespace

TEST_CASE("files: blank lines and comments skipped, CRLF and BOM tolerated, lines numbered") {
  std::string path =
      temp_file("\xEF\xBB\xBFhttp://a/\r\n\n# comment\n  http://b/  \r\n\thttp://c/");
  UrlSource src({path, "https://d/"});
  auto a = src.next();
  REQUIRE(a);
  CHECK(a->url == "http://a/");
  CHECK(a->where == path + ":1");
  auto b = src.next();
  REQUIRE(b);
  CHECK(b->url == "http://b/");
  CHECK(b->where == path + ":4");
  auto c = src.next();
  REQUIRE(c);
  CHECK(c->url == "http://c/");
  auto d = src.next();
  REQUIRE(d);
  CHECK(d->url == "https://d/");
  CHECK(d->where == "argument 2");
  CHECK_FALSE(src.next());
  std::remove(path.c_str());
}

TEST_CASE("a missing input file is an InputError naming it") {
  CHECK_THROWS_WITH_AS(UrlSource({"/nonexistent/urls.txt"}),
                       doctest::Contains("/nonexistent/urls.txt"), InputError);
}

TEST_CASE("arguments with a scheme are URLs, others are files") {
  CHECK(looks_like_url("http://x/"));
  CHECK(looks_like_url("file:///etc/passwd"));
  CHECK(looks_like_url("mailto:a@b"));
  CHECK_FALSE(looks_like_url("urls.txt"));
  CHECK_FALSE(looks_like_url("./http://x"));
  CHECK_FALSE(looks_like_url("-"));
}

TEST_CASE("check_url: http(s) ok, other schemes refused, garbage invalid") {
  CHECK(check_url("http://example.com/a?b#c").verdict == UrlVerdict::ok);
  CHECK(check_url("HTTPS://EXAMPLE.COM/").verdict == UrlVerdict::ok);
  CHECK(check_url("file:///etc/passwd").verdict == UrlVerdict::unsupported_scheme);
  CHECK(check_url("ftp://example.com/").verdict == UrlVerdict::unsupported_scheme);
  CHECK(check_url("javascript:alert(1)").verdict == UrlVerdict::unsupported_scheme);
  CHECK(check_url("example.com").verdict == UrlVerdict::invalid);
  CHECK(check_url("not a url").verdict == UrlVerdict::invalid);
  CHECK(check_url("http://").verdict == UrlVerdict::invalid);
  CHECK(check_url("http://exa mple.com/").verdict == UrlVerdict::invalid);
  CHECK(check_url("http://example.com/a b").verdict == UrlVerdict::ok);  // fetched as a%20b
  CHECK(check_url("http://b\xC3\xBC"
                  "cher.example/")
            .verdict == UrlVerdict::ok);
  CHECK(url_scheme("Http://x") == "http");
}
