// End to end: the three execution modes, the summary, progress, streaming input, Ctrl-C and
// `acrawl bench`, with the built binary against the fixture server on 127.0.0.1.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::test::Child;
using acrawl::test::run_process;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string mixed_list(const std::string& b) {
  std::string urls;
  for (int n = 0; n < 150; ++n) urls += b + "/site/p/" + std::to_string(n) + ".html\n";
  for (const char* page : {"shift_jis-meta.html", "utf16le-bom.html", "title-svg-first.html",
                           "windows_1252-header.html", "gb2312-http-equiv.html"}) {
    urls += b + "/pages/" + page + "\n";
  }
  for (const char* fault : {"/status/404", "/status/503", "/reset", "/truncated", "/redirect/2",
                            "/redirect-loop", "/huge/3000000", "/binary", "/delay/4000/status/200",
                            "/redirect-to?url=file%3A%2F%2F%2Fetc%2Fpasswd"}) {
    urls += b + fault + "\n";
  }
  urls += "not a url\nftp://127.0.0.1/x\nhttp://127.0.0.1:1/\n";
  return urls;
}

}  // namespace

TEST_CASE("async, threads and sync give the same records, error routes included") {
  FixtureServer server;
  std::string urls = mixed_list(server.base_url());
  std::vector<std::string> reference;
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << std::string(mode));
    auto res = run_process(ACRAWL_BIN,
                           {"-", "--mode", mode, "-c", "20", "--max-bytes", "1000000", "--timeout",
                            "1", "--no-progress"},
                           urls, 120s);
    CHECK(res.exit_code == 1);
    auto lines = sorted_lines(res.out);
    CHECK(lines.size() == 168);
    if (reference.empty()) {
      reference = lines;
    } else {
      CHECK(lines == reference);
    }
  }
}

TEST_CASE("--stats-json writes the summary; stderr has it in words") {
  FixtureServer server;
  char path[] = "/tmp/acrawl-stats-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::string urls;
  for (int n = 0; n < 40; ++n)
    urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
  urls += server.base_url() + "/status/404\n" + server.base_url() + "/reset\n";
  auto res = run_process(ACRAWL_BIN, {"-", "--stats-json", path, "--mode", "threads"}, urls);
  std::string json = read_file(path);
  std::remove(path);
  CHECK(res.exit_code == 1);
  CHECK(json.find("\"mode\":\"threads\"") != std::string::npos);
  CHECK(json.find("\"pages\":42,\"succeeded\":40,\"failed\":2") != std::string::npos);
  CHECK(json.find("\"failures\":{\"http_404\":1,\"reset\":1}") != std::string::npos);
  CHECK(json.find("\"p99\":") != std::string::npos);
  CHECK(json.find("\"peak_rss_kb\":") != std::string::npos);
  CHECK(res.err.find("42 pages (40 ok, 2 failed)") != std::string::npos);
  CHECK(res.err.find("latency p50") != std::string::npos);
}

TEST_CASE("input is read lazily: records come out while stdin is still open") {
  FixtureServer server;
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << std::string(mode));
    Child child(ACRAWL_BIN, {"-", "--mode", mode, "-c", "4"});
    std::string urls;
    for (int n = 0; n < 20; ++n)
      urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
    child.write_stdin(urls);
    // stdin stays open: all 20 records must still arrive.
    std::string out = child.read_lines(20, 20s);
    CHECK(std::count(out.begin(), out.end(), '\n') == 20);
    child.close_stdin();
    CHECK(child.wait(20s) == 0);
  }
}

TEST_CASE("the progress line shows on a terminal only") {
  FixtureServer server;
  std::string urls;
  for (int n = 0; n < 30; ++n) {
    urls += server.base_url() + "/delay/100/site/p/" + std::to_string(n) + ".html\n";
  }
  {
    Child on_tty(ACRAWL_BIN, {"-", "-c", "2"}, true);
    on_tty.write_stdin(urls);
    on_tty.close_stdin();
    CHECK(on_tty.wait(60s) == 0);
    CHECK(on_tty.err().find("in flight") != std::string::npos);
    CHECK(on_tty.err().find('\r') != std::string::npos);
  }
  {
    Child on_tty(ACRAWL_BIN, {"-", "-c", "2", "--no-progress"}, true);
    on_tty.write_stdin(urls);
    on_tty.close_stdin();
    CHECK(on_tty.wait(60s) == 0);
    CHECK(on_tty.err().find("in flight,") == std::string::npos);
  }
  auto piped = run_process(ACRAWL_BIN, {"-", "-c", "2"}, urls);
  CHECK(piped.exit_code == 0);
  CHECK(piped.err.find('\r') == std::string::npos);
}

TEST_CASE("SIGINT: finished records are kept, in-flight pages end as cancelled, exit 130") {
  FixtureServer server;
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << std::string(mode));
    server.reset_stats();
    Child child(ACRAWL_BIN, {"-", "--mode", mode, "-c", "4"});
    std::string urls;
    for (int n = 0; n < 3; ++n)
      urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
    urls += server.base_url() + "/delay/60000/site/p/9.html\n";
    child.write_stdin(urls);
    child.read_lines(3, 20s);
    // The slow page is in flight once the server has its request.
    REQUIRE(server.wait_for_log([](const std::vector<acrawl::fixtures::LoggedRequest>& log) {
      return std::any_of(log.begin(), log.end(),
                         [](const auto& r) { return r.target.starts_with("/delay/60000/"); });
    }));
    child.send_signal(SIGINT);
    int code = child.wait(20s);  // a guard: the page alone would take 60 s
    CHECK(code == 130);
    auto lines = sorted_lines(child.out());
    REQUIRE(lines.size() == 4);
    CHECK(std::count(lines.begin(), lines.end(),
                     server.base_url() + "/delay/60000/site/p/9.html\tcancelled\t") == 1);
    CHECK(child.err().find("interrupted") != std::string::npos);
  }
}

TEST_CASE("acrawl bench compares the three modes") {
  auto res = run_process(ACRAWL_BIN, {"bench", "--pages", "60", "--latency-ms", "5"}, {}, 120s);
  CHECK(res.exit_code == 0);
  CHECK(res.out.find("| async | 60 |") != std::string::npos);
  CHECK(res.out.find("| threads | 60 |") != std::string::npos);
  CHECK(res.out.find("| sync | 60 |") != std::string::npos);
  CHECK(res.out.find("speed-up over sync") != std::string::npos);
}

TEST_CASE("a --concurrency the open-files limit cannot hold is clamped with one warning") {
  FixtureServer server;
  std::string urls;
  for (int n = 0; n < 50; ++n)
    urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
  // A hard limit of 200 descriptors cannot hold 5000 sockets.
  auto res = run_process(
      "/bin/sh",
      {"-c", std::string("ulimit -n 200 && exec ") + ACRAWL_BIN + " - --concurrency 5000"}, urls,
      60s);
  CHECK(res.exit_code == 0);
  CHECK(sorted_lines(res.out).size() == 50);
  CHECK(res.err.find("--concurrency 5000 needs more file descriptors") != std::string::npos);
}
