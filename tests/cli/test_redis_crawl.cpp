// End to end: --state redis://. Several real acrawl processes share one crawl in a real
// redis-server the test starts on loopback: every page once in `acrawl export` even after a
// worker is killed with SIGKILL, politeness held across workers at the fixture server, a worker
// with other options refused, and Redis stopped and restarted mid-crawl.

#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/request_starts.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::ServerOptions;
using acrawl::fixtures::ServerStats;
using acrawl::test::Child;
using acrawl::test::lines_of;
using acrawl::test::ProcessResult;
using acrawl::test::read_file;
using acrawl::test::RedisServer;
using acrawl::test::request_starts;
using acrawl::test::run_process;
using acrawl::test::sorted_lines;
using acrawl::test::TempDir;
using acrawl::test::write_file;
using namespace std::chrono_literals;

namespace {

ProcessResult run_acrawl(const std::vector<std::string>& args) {
  return run_process(ACRAWL_BIN, args, "", std::chrono::seconds(120));
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> exported(const RedisServer& redis, const std::string& id) {
  ProcessResult r = run_acrawl({"export", redis.url(), "--crawl-id", id});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  return sorted_lines(r.out);
}

}  // namespace

TEST_CASE("redis: three workers share one crawl; one killed with SIGKILL, nothing lost") {
  RedisServer redis;
  FixtureServer server(ServerOptions{.site_pages = 1500});
  const std::string seed = server.base_url() + "/site/p/0.html";
  ProcessResult ref = run_acrawl({seed, "--depth", "50", "-c", "8", "--no-progress", "-q"});
  REQUIRE(ref.exit_code == 0);
  const std::vector<std::string> expected = sorted_lines(ref.out);
  REQUIRE(expected.size() > 1400);

  TempDir dir;
  // --per-host 12: room for every worker's 4 transfers (a worker keeps the host's slots it
  // holds while it has pages of the host to start in them).
  const std::vector<std::string> args = {
      seed,      "--depth",   "50",         "-c",   "4",       "--per-host", "12",
      "--state", redis.url(), "--crawl-id", "kill", "--lease", "1",          "--no-progress"};
  server.reset_stats();
  std::vector<std::unique_ptr<Child>> workers;
  for (int i = 0; i < 3; ++i) {
    workers.push_back(std::make_unique<Child>(
        ACRAWL_BIN, with(args, {"-o", dir / ("w" + std::to_string(i) + ".tsv"), "--mode",
                                i == 2 ? "threads" : "async"})));
  }
  // Killed with its transfers under way: their leases expire and the others fetch them.
  REQUIRE(server.wait_for([](const ServerStats& s) { return s.requests >= 300; }, 60s));
  workers[0]->send_signal(SIGKILL);
  CHECK(workers[0]->wait(30s) == 128 + SIGKILL);
  for (int i = 1; i < 3; ++i) {
    INFO(workers[i]->err());
    CHECK(workers[i]->wait(120s) == 0);
  }
  CHECK(exported(redis, "kill") == expected);
  // The survivors shared the work.
  std::vector<std::string> produced;
  for (int i = 1; i < 3; ++i) {
    std::vector<std::string> mine = lines_of(read_file(dir / ("w" + std::to_string(i) + ".tsv")));
    CHECK(!mine.empty());
    produced.insert(produced.end(), mine.begin(), mine.end());
  }
  // The killed worker's file: whole lines only (SIGKILL may have cut its last one).
  std::string killed = read_file(dir / "w0.tsv");
  killed.resize(killed.rfind('\n') == std::string::npos ? 0 : killed.rfind('\n') + 1);
  for (const std::string& line : lines_of(killed)) produced.push_back(line);
  std::sort(produced.begin(), produced.end());
  produced.erase(std::unique(produced.begin(), produced.end()), produced.end());
  // Records of the crawl only (the killed worker's last records committed in Redis may be
  // missing from its file: export is the exact view).
  std::vector<std::string> extra;
  std::set_difference(produced.begin(), produced.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  CHECK(extra.empty());
  CHECK(produced.size() + 200 > expected.size());
  // A worker started after the end finds nothing to do.
  server.reset_stats();
  ProcessResult late = run_acrawl(with(args, {"-o", dir / "late.tsv"}));
  CHECK(late.exit_code == 0);
  CHECK(server.stats().requests == 0);
}

TEST_CASE("redis: a host at its --per-host cap, many pages disallowed: the in-memory records") {
  // Items leased ahead without a slot start when a transfer to their host ends; a disallowed
  // page ends without a transfer (test_redis_state.cpp has that case exactly).
  RedisServer redis;
  FixtureServer server(
      ServerOptions{.site_pages = 800, .robots_txt = "User-agent: *\nDisallow: /site/p/1\n"});
  const std::string seed = server.base_url() + "/site/p/0.html";
  const std::vector<std::string> common = {seed, "--depth",       "50", "-c", "8", "--per-host",
                                           "2",  "--no-progress", "-q"};
  ProcessResult ref = run_acrawl(common);
  REQUIRE(ref.exit_code == 1);  // the disallowed pages' records are errors
  const std::vector<std::string> expected = sorted_lines(ref.out);
  REQUIRE(expected.size() > 700);
  ProcessResult shared = run_acrawl(with(common, {"--state", redis.url(), "--crawl-id", "capped"}));
  INFO(shared.err);
  CHECK(shared.exit_code == 1);
  CHECK(sorted_lines(shared.out) == expected);
  CHECK(exported(redis, "capped") == expected);
}

TEST_CASE("redis: --delay and --per-host hold across workers, at the server") {
  RedisServer redis;
  FixtureServer server(ServerOptions{.site_pages = 100});
  const std::string b = server.base_url();
  TempDir dir;
  {
    std::string list;
    for (int n = 0; n < 8; ++n) list += b + "/site/p/" + std::to_string(n) + ".html\n";
    write_file(dir / "spaced.txt", list);
    const std::vector<std::string> args = {
        dir / "spaced.txt", "--delay", "300",           "-c", "8", "--state", redis.url(),
        "--crawl-id",       "spaced",  "--no-progress", "-q"};
    std::vector<std::unique_ptr<Child>> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(std::make_unique<Child>(ACRAWL_BIN, args));
    for (auto& w : workers) CHECK(w->wait(60s) == 0);
    std::vector<std::string> records = exported(redis, "spaced");
    CHECK(records.size() == 8);  // each line once, whichever worker fetched it
    auto t = request_starts(server, "/site/");
    REQUIRE(t.size() == 8);
    // Spaced as one crawler would space them: 7 delays of 300 ms in all, far from three workers
    // each keeping their own delay (about 2 delays, the requests in threes at once). The
    // spacing is counted from each claim in Redis, so a request sent late after its claim (a
    // loaded machine, a sanitizer build) narrows one gap at the server and widens the next:
    // a gap alone says little (199 ms and 46 ms were seen), the sum of them is kept.
    CHECK(t.back() - t.front() >= 1800ms);
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] >= 20ms);
  }
  {
    server.reset_stats();
    std::string list;
    for (int n = 0; n < 36; ++n) {
      list += b + "/delay/100/site/p/" + std::to_string(n) + ".html\n";
    }
    write_file(dir / "capped.txt", list);
    const std::vector<std::string> args = {
        dir / "capped.txt", "--per-host",    "2", "-c", "10", "--state", redis.url(), "--crawl-id",
        "capped",           "--no-progress", "-q"};
    std::vector<std::unique_ptr<Child>> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(std::make_unique<Child>(ACRAWL_BIN, args));
    for (auto& w : workers) CHECK(w->wait(60s) == 0);
    CHECK(exported(redis, "capped").size() == 36);
    CHECK(server.stats().max_in_flight <= 2);
    CHECK(server.stats().max_in_flight >= 2);  // concurrent still, not one at a time
  }
}

TEST_CASE("redis: a worker with other options is refused; Redis unreachable is exit 2") {
  RedisServer redis;
  FixtureServer server(ServerOptions{.site_pages = 20});
  const std::string seed = server.base_url() + "/site/p/0.html";
  const std::vector<std::string> args = {seed,         "--state", redis.url(),
                                         "--crawl-id", "m",       "--no-progress"};
  ProcessResult first = run_acrawl(with(args, {"--depth", "2"}));
  CHECK(first.exit_code == 0);
  ProcessResult other = run_acrawl(with(args, {"--depth", "3"}));
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("--depth") != std::string::npos);
  CHECK(other.err.find("--crawl-id") != std::string::npos);  // how to start afresh
  // Without --crawl-id the same command names the same crawl; other seeds another one.
  const std::vector<std::string> derived = {seed, "--state", redis.url(), "--no-progress"};
  CHECK(run_acrawl(derived).exit_code == 0);
  server.reset_stats();
  CHECK(run_acrawl(derived).exit_code == 0);
  CHECK(server.stats().requests == 0);

  const int port = redis.port();
  redis.stop();
  ProcessResult down = run_acrawl({seed, "--state", "redis://127.0.0.1:" + std::to_string(port)});
  CHECK(down.exit_code == 2);
  CHECK(down.err.find("cannot reach Redis") != std::string::npos);
  ProcessResult bad = run_acrawl({seed, "--state", "redis://127.0.0.1:99999"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bad port") != std::string::npos);
  ProcessResult stray = run_acrawl({seed, "--crawl-id", "x", "--no-progress"});
  CHECK(stray.exit_code == 0);
  CHECK(stray.err.find("--crawl-id names a crawl in Redis") != std::string::npos);
  ProcessResult no_id = run_acrawl({"export", "redis://127.0.0.1:1"});
  CHECK(no_id.exit_code == 2);
  CHECK(no_id.err.find("--crawl-id") != std::string::npos);
}

TEST_CASE("redis: restarted mid-crawl, workers reconnect and finish; data lost, they stop") {
  FixtureServer server(ServerOptions{.site_pages = 300});
  TempDir dir;
  std::string list;
  for (int n = 0; n < 150; ++n)
    list += server.base_url() + "/delay/20/site/p/" + std::to_string(n) + ".html\n";
  write_file(dir / "urls.txt", list);
  {
    RedisServer redis(/*persistent=*/true);
    Child worker(ACRAWL_BIN, {dir / "urls.txt", "-c", "4", "--state", redis.url(), "--crawl-id",
                              "r", "--no-progress", "-o", dir / "out.tsv"});
    REQUIRE(server.wait_for([](const ServerStats& s) { return s.requests >= 20; }, 30s));
    redis.stop();
    CHECK(worker.wait_stderr("connection lost", 1, 30s));
    redis.start();
    CHECK(worker.wait(120s) == 0);
    INFO(worker.err());
    CHECK(worker.err().find("reconnected") != std::string::npos);
    std::vector<std::string> records = exported(redis, "r");
    CHECK(records.size() == 150);
    CHECK(std::adjacent_find(records.begin(), records.end()) == records.end());
  }
  {
    server.reset_stats();
    RedisServer redis(/*persistent=*/false);
    Child worker(ACRAWL_BIN, {dir / "urls.txt", "-c", "4", "--state", redis.url(), "--crawl-id",
                              "gone", "--no-progress"});
    REQUIRE(server.wait_for([](const ServerStats& s) { return s.requests >= 20; }, 30s));
    redis.stop();
    redis.start();  // empty: the crawl's keys are gone
    CHECK(worker.wait(120s) == 2);
    CHECK(worker.err().find("lost crawl") != std::string::npos);
  }
}

TEST_CASE("redis: --sitemaps: two workers read each sitemap once and give the in-memory records") {
  RedisServer redis;
  FixtureServer server(ServerOptions{
      .site_pages = 100,
      .robots_txt =
          "User-agent: *\nDisallow: /site/p/11.html\n"
          "Sitemap: {{base}}/sitemaps/index.xml\nSitemap: {{base}}/sitemaps/urlset.xml\n"});
  // The seed twice: a list crawl gives each input line its record, --sitemaps or not.
  const std::vector<std::string> common = {server.base_url() + "/site/",
                                           server.base_url() + "/site/", "--sitemaps",
                                           "--no-progress", "-q"};
  ProcessResult ref = run_acrawl(common);
  REQUIRE(ref.exit_code == 1);  // the disallowed page
  const std::vector<std::string> expected = sorted_lines(ref.out);
  REQUIRE(expected.size() == 13);
  server.reset_stats();
  const std::vector<std::string> shared =
      with(common, {"--state", redis.url(), "--crawl-id", "sm"});
  ProcessResult first = run_acrawl(shared);
  ProcessResult second = run_acrawl(with(shared, {"--mode", "threads"}));
  INFO(first.err << second.err);
  CHECK(exported(redis, "sm") == expected);
  std::size_t index_reads = 0;
  for (const auto& r : server.request_log()) index_reads += r.target == "/sitemaps/index.xml";
  CHECK(index_reads == 1);
}
