#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
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

namespace {
// A pipe whose read end becomes this process's standard input for the duration; the write end
// stays open (a producer that has not finished).
struct StdinPipe {
  int saved = ::dup(STDIN_FILENO);
  int write_end = -1;
  StdinPipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::dup2(fds[0], STDIN_FILENO) == STDIN_FILENO);
    ::close(fds[0]);
    write_end = fds[1];
  }
  ~StdinPipe() {
    ::close(write_end);
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
  }
  void write(const std::string& s) const {
    REQUIRE(::write(write_end, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  }
};
}  // namespace

TEST_CASE("stdin: a last line without a newline is a line") {
  StdinPipe in;
  in.write("http://a/\nhttp://b/");
  ::close(in.write_end);
  in.write_end = ::open("/dev/null", O_WRONLY);
  UrlSource src({"-"});
  CHECK(src.may_block());
  auto batch = src.next_batch(10);
  REQUIRE(batch.size() == 2);
  CHECK(batch[1].url == "http://b/");
  CHECK(batch[1].where == "stdin:2");
  CHECK_FALSE(src.next());
}

TEST_CASE("stdin: stop() ends a read waiting in the middle of a line (Ctrl-C)") {
  StdinPipe in;
  in.write("http://a/\nhttp://partial");  // the producer is still writing this line
  UrlSource src({"-"});
  auto first = src.next();
  REQUIRE(first);
  CHECK(first->url == "http://a/");
  // Another thread waits for the rest of the line; stop() must end that wait whether it
  // comes before or after the wait begins.
  auto waiting = std::async(std::launch::async, [&src] { return src.next(); });
  src.stop();
  if (waiting.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    in.write("\n");  // let the stuck reader go, then fail
    FAIL("stop() did not end the wait");
  }
  CHECK_FALSE(waiting.get());
  CHECK(src.next_batch(10).empty());
}

TEST_CASE("files: a line longer than the limit is cut to its start and marked, the next one read") {
  std::string path = temp_file(std::string(UrlSource::kMaxLineBytes + 10, 'x') +
                               "\nhttp://after/\n" + std::string(100, 'y'));
  UrlSource src({path});
  auto long_line = src.next();
  REQUIRE(long_line);
  CHECK(long_line->too_long);
  CHECK(long_line->url == std::string(UrlSource::kKeptBytes, 'x'));
  CHECK(long_line->where == path + ":1");
  auto after = src.next();
  REQUIRE(after);
  CHECK(after->url == "http://after/");
  CHECK_FALSE(after->too_long);
  CHECK(after->where == path + ":2");
  auto last = src.next();
  REQUIRE(last);
  CHECK(last->url == std::string(100, 'y'));
  CHECK_FALSE(src.next());
  std::remove(path.c_str());
}
