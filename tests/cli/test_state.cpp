// End to end: --state FILE. The real binary is killed with SIGKILL at many points of a crawl of
// the fixture site and run again until it finishes; -o FILE must then hold every record of the
// reference crawl exactly once, and `acrawl export` the same. Plus the lock, Ctrl-C and resume,
// a different crawl refused, and every kind of bad state file.

#include <doctest/doctest.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::ServerOptions;
using acrawl::fixtures::ServerStats;
using acrawl::test::Child;
using acrawl::test::lines_of;
using acrawl::test::ProcessResult;
using acrawl::test::read_file;
using acrawl::test::run_process;
using acrawl::test::sorted_lines;
using acrawl::test::TempDir;
using acrawl::test::write_file;
using namespace std::chrono_literals;

namespace {

ProcessResult run_acrawl(const std::vector<std::string>& args, const std::string& stdin_data = {}) {
  return run_process(ACRAWL_BIN, args, stdin_data, std::chrono::seconds(120));
}

// Runs SQL on a state file with SQLite itself (as a user, or a damaged disk, would).
void sql(const std::string& path, const std::string& statements) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &err);
  INFO((err != nullptr ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::int64_t sql_count(const std::string& path, const std::string& query) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::int64_t n = -1;
  if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

// The crawl every test resumes: the fixture site from its first page, recursively.
std::vector<std::string> crawl_args(const FixtureServer& server, const std::string& state,
                                    const std::string& out, const std::string& mode = "async") {
  return {server.base_url() + "/site/p/0.html",
          "--depth",
          "50",
          "--state",
          state,
          "-o",
          out,
          "--mode",
          mode,
          "-c",
          "2",
          "--per-host",
          "2",
          "--no-progress",
          "-q"};
}

// The records of the same crawl in memory, sorted: what every resumed crawl must end with.
std::vector<std::string> reference(const FixtureServer& server) {
  ProcessResult r = run_acrawl(
      {server.base_url() + "/site/p/0.html", "--depth", "50", "-c", "8", "--no-progress", "-q"});
  REQUIRE(r.exit_code == 0);
  return sorted_lines(r.out);
}

// Every record exactly once, whole lines only: the output file equals the reference as a
// multiset, and ends with a newline.
void check_exactly_once(const std::string& out_path, const std::vector<std::string>& expected) {
  const std::string text = read_file(out_path);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  std::vector<std::string> got = sorted_lines(text);
  CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());  // no record twice
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
}

// Starts the crawl, waits until the server has seen `requests` more requests, kills it with
// SIGKILL. Returns false when the crawl ended by itself first.
bool kill_after(FixtureServer& server, const std::vector<std::string>& args, std::size_t requests) {
  server.reset_stats();
  Child child(ACRAWL_BIN, args);
  const bool reached =
      server.wait_for([&](const ServerStats& s) { return s.requests >= requests; }, 30s);
  child.send_signal(SIGKILL);
  const int code = child.wait(30s);
  return reached && code == 128 + SIGKILL;
}

// Blocks until the file at path is longer than `than` bytes (inotify on its directory: the
// file may not exist yet), or the deadline passes. Returns whether it grew.
bool wait_for_growth(const std::string& dir, const std::string& path, std::uintmax_t than,
                     std::chrono::milliseconds deadline) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  REQUIRE(fd >= 0);
  REQUIRE(::inotify_add_watch(fd, dir.c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE) >= 0);
  const auto until = std::chrono::steady_clock::now() + deadline;
  bool grew = false;
  for (;;) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > than) {
      grew = true;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    }
  }
  ::close(fd);
  return grew;
}

// Starts the crawl, waits until it has committed records to out_path (the file grows), then
// for `requests` more requests at the server, and kills it with SIGKILL. Returns false when
// the crawl ended by itself first.
bool kill_after_commit(FixtureServer& server, const std::vector<std::string>& args,
                       const std::string& dir, const std::string& out_path, std::size_t requests) {
  std::error_code ec;
  const std::uintmax_t before =
      std::filesystem::exists(out_path) ? std::filesystem::file_size(out_path, ec) : 0;
  server.reset_stats();
  Child child(ACRAWL_BIN, args);
  bool reached = wait_for_growth(dir, out_path, before, 30s);
  const std::size_t seen = server.stats().requests;
  reached =
      reached &&
      server.wait_for([&](const ServerStats& s) { return s.requests >= seen + requests; }, 30s);
  child.send_signal(SIGKILL);
  const int code = child.wait(30s);
  return reached && code == 128 + SIGKILL;
}

}  // namespace

TEST_CASE("--state: killed with SIGKILL 24 times and resumed, -o holds every record exactly once") {
  FixtureServer server(ServerOptions{.site_pages = 3000});
  const std::vector<std::string> expected = reference(server);
  REQUIRE(expected.size() > 2500);
  std::size_t kills = 0;
  std::size_t kills_after_commits = 0;  // the run had committed records when it was killed
  std::size_t kills_with_unseen = 0;    // pages were left that no resumed run had seen yet
  for (const char* mode : {"async", "threads", "sync"}) {
    CAPTURE(mode);
    TempDir dir;
    const auto args = crawl_args(server, dir / "crawl.db", dir / "out.tsv", mode);
    // Killed at once (before or while the state is created), then after 10 to 150 requests:
    // in the middle of transfers, of transactions and of writes to -o.
    {
      Child early(ACRAWL_BIN, args);
      early.send_signal(SIGKILL);
      early.wait(30s);
      ++kills;
    }
    // Then after 10 to 70 requests (most before the first commit), and 0 to 45 requests after
    // a commit: in the middle of transfers, of transactions and of writes to -o.
    for (std::size_t i = 0; i < 8; ++i) {
      const std::size_t before = lines_of(read_file(dir / "out.tsv")).size();
      const std::size_t k = i < 4 ? 10 + 20 * i : 15 * (i - 4);
      if (before + k + 60 >= expected.size()) break;
      const bool unseen = !std::filesystem::exists(dir / "crawl.db") ||
                          sql_count(dir / "crawl.db", "SELECT count(*) FROM frontier") <
                              static_cast<std::int64_t>(expected.size());
      const bool killed = i < 4 ? kill_after(server, args, k)
                                : kill_after_commit(server, args, dir.path(), dir / "out.tsv", k);
      if (!killed) continue;
      ++kills;
      if (unseen) ++kills_with_unseen;
      if (lines_of(read_file(dir / "out.tsv")).size() > before) ++kills_after_commits;
    }
    ProcessResult last = run_acrawl(args);
    INFO(last.err);
    CHECK(last.exit_code == 0);
    check_exactly_once(dir / "out.tsv", expected);
    ProcessResult exported = run_acrawl({"export", dir / "crawl.db"});
    CHECK(exported.exit_code == 0);
    CHECK(sorted_lines(exported.out) == expected);
    // Finished: the same command again fetches nothing and leaves -o as it is.
    server.reset_stats();
    const std::string before = read_file(dir / "out.tsv");
    ProcessResult again = run_acrawl(args);
    CHECK(again.exit_code == 0);
    CHECK(server.stats().requests == 0);
    CHECK(read_file(dir / "out.tsv") == before);
  }
  MESSAGE("SIGKILLs: " << kills << ", after commits: " << kills_after_commits
                       << ", with pages unseen: " << kills_with_unseen);
  CHECK(kills >= 20);
  CHECK(kills_after_commits >= 9);
  CHECK(kills_with_unseen >= 3);
}

TEST_CASE("--state: a list crawl killed mid-way resumes after the input lines it took in") {
  FixtureServer server(ServerOptions{.site_pages = 3000});
  TempDir dir;
  std::string list = "not a url\n";
  for (int i = 0; i < 3000; ++i)
    list += server.base_url() + "/site/p/" + std::to_string(i) + ".html\n";
  list += "nor this\n";
  write_file(dir / "urls.txt", list);
  const std::vector<std::string> args = {
      dir / "urls.txt", "--state", dir / "s.db", "-o", dir / "out.tsv", "-c", "4",
      "--no-progress",  "-q"};
  std::size_t kills = 0;
  for (std::size_t k : {50u, 400u, 300u}) kills += kill_after(server, args, k) ? 1 : 0;
  CHECK(kills == 3);
  ProcessResult last = run_acrawl(args);
  CHECK(last.exit_code == 1);  // "not a url" failed
  std::vector<std::string> got = sorted_lines(read_file(dir / "out.tsv"));
  CHECK(got.size() == 3002);
  CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());
  CHECK(std::count(got.begin(), got.end(), "not a url\tinvalid_url\t") == 1);
  // export lists a list crawl in input order, lines that are not URLs in their places.
  ProcessResult exported = run_acrawl({"export", dir / "s.db"});
  std::vector<std::string> in_order = lines_of(exported.out);
  REQUIRE(in_order.size() == 3002);
  CHECK(in_order[0] == "not a url\tinvalid_url\t");
  CHECK(in_order[1].rfind(server.base_url() + "/site/p/0.html\t200\t", 0) == 0);
  CHECK(in_order[3000].rfind(server.base_url() + "/site/p/2999.html\t200\t", 0) == 0);
  CHECK(in_order.back() == "nor this\tinvalid_url\t");
}

TEST_CASE(
    "--state: Ctrl-C leaves the rest queued (no cancelled records); export shows the "
    "unfinished crawl; the same command finishes it") {
  FixtureServer server;
  TempDir dir;
  std::string list;
  for (int i = 0; i < 6; ++i)
    list += server.base_url() + "/site/p/" + std::to_string(i) + ".html\n";
  write_file(dir / "urls.txt", list);
  // One request per host, a minute apart: the first page is fetched, the rest wait.
  std::vector<std::string> args = {dir / "urls.txt", "--state", dir / "s.db",
                                   "--per-host",     "1",       "--no-progress"};
  args.insert(args.end(), {"--delay", "60000"});
  Child child(ACRAWL_BIN, args);
  // Its record on stdout: the page is done (the state has it, or gets it before exit).
  REQUIRE(lines_of(child.read_lines(1, 30s)).size() == 1);
  child.send_signal(SIGINT);
  CHECK(child.wait(30s) == 130);
  CHECK(child.out().find("cancelled") == std::string::npos);
  CHECK(lines_of(child.out()).size() == 1);
  CHECK(child.err().find("the same command resumes") != std::string::npos);
  ProcessResult exported = run_acrawl({"export", dir / "s.db", "--format", "jsonl"});
  CHECK(exported.exit_code == 0);
  CHECK(lines_of(exported.out).size() == 1);
  CHECK(sql_count(dir / "s.db", "SELECT count(*) FROM queue") == 5);
  CHECK(sql_count(dir / "s.db", "SELECT count(*) FROM records WHERE error = 'cancelled'") == 0);
  // --delay does not define the crawl: the resumed run may drop it. Its stdout has the rest.
  args.resize(args.size() - 2);
  ProcessResult rest = run_acrawl(args);
  CHECK(rest.exit_code == 0);
  CHECK(lines_of(rest.out).size() == 5);
  std::vector<std::string> all = sorted_lines(child.out() + rest.out);
  CHECK(all == sorted_lines(run_acrawl({"export", dir / "s.db"}).out));
  CHECK(all.size() == 6);
}

TEST_CASE(
    "--state without -o: stdout gets each run's records, export all of them; "
    "--links-file is added to, not emptied") {
  FixtureServer server;
  TempDir dir;
  const std::string url = server.base_url() + "/site/p/3.html";
  const std::vector<std::string> args = {
      url, "--state", dir / "s.db", "--links-file", dir / "links.tsv", "--no-progress"};
  ProcessResult first = run_acrawl(args);
  CHECK(first.exit_code == 0);
  CHECK(lines_of(first.out).size() == 1);
  const std::string links = read_file(dir / "links.tsv");
  CHECK(lines_of(links).size() > 3);
  ProcessResult second = run_acrawl(args);
  CHECK(second.exit_code == 0);
  CHECK(second.out.empty());
  CHECK(read_file(dir / "links.tsv") == links);
  CHECK(lines_of(run_acrawl({"export", dir / "s.db"}).out).size() == 1);
}

TEST_CASE("--state: a second acrawl on a state in use is refused, not let in") {
  FixtureServer server;
  TempDir dir;
  const std::string slow = server.base_url() + "/delay/60000/site/p/1.html";
  Child first(ACRAWL_BIN, {slow, "--state", dir / "s.db", "--no-progress"});
  REQUIRE(server.wait_for([](const ServerStats& s) { return s.in_flight == 1; }));
  ProcessResult second =
      run_acrawl({server.base_url() + "/site/p/2.html", "--state", dir / "s.db", "--no-progress"});
  CHECK(second.exit_code == 2);
  CHECK(second.err.find("in use by another acrawl") != std::string::npos);
  CHECK(server.stats().requests == 1);  // the second one fetched nothing
  first.send_signal(SIGINT);
  CHECK(first.wait(30s) == 130);
}

TEST_CASE(
    "--state made by a different crawl: exit 2, saying what differs and how to start afresh") {
  FixtureServer server;
  TempDir dir;
  const std::string url = server.base_url() + "/site/p/0.html";
  REQUIRE(run_acrawl({url, "--depth", "1", "--state", dir / "s.db", "-q"}).exit_code == 0);
  SUBCASE("another --depth") {
    ProcessResult r = run_acrawl({url, "--depth", "2", "--state", dir / "s.db"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--depth: '1' in the state, '2' now") != std::string::npos);
    CHECK(r.err.find("to start afresh, remove") != std::string::npos);
  }
  SUBCASE("other seeds") {
    ProcessResult r =
        run_acrawl({server.base_url() + "/site/p/1.html", "--depth", "1", "--state", dir / "s.db"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("different crawl") != std::string::npos);
    CHECK(r.err.find("to start afresh") != std::string::npos);
  }
  SUBCASE("an -o the state did not write") {
    ProcessResult r = run_acrawl({url, "--depth", "1", "--state", dir / "s.db", "-o", dir / "x"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--output") != std::string::npos);
  }
  SUBCASE("more politeness is the same crawl") {
    ProcessResult r = run_acrawl({url, "--depth", "1", "--state", dir / "s.db", "--delay", "5",
                                  "-c", "3", "--mode", "threads"});
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("--state: bad state files give a clear error and exit 2, never a crash") {
  FixtureServer server;
  TempDir dir;
  const std::string url = server.base_url() + "/site/p/0.html";
  const std::string state = dir / "s.db";
  auto run = [&](const std::string& path) {
    return run_acrawl({url, "--depth", "2", "--state", path, "-o", dir / "out.tsv"});
  };
  SUBCASE("garbage") {
    write_file(state, std::string(8192, 'x'));
    ProcessResult r = run(state);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not an SQLite database") != std::string::npos);
  }
  SUBCASE("another program's database") {
    sql(state, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);");
    ProcessResult r = run(state);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not an acrawl state") != std::string::npos);
  }
  SUBCASE("a newer schema") {
    REQUIRE(run(state).exit_code == 0);
    sql(state, "PRAGMA user_version = 99;");
    ProcessResult r = run(state);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("newer acrawl") != std::string::npos);
  }
  SUBCASE("truncated") {
    FixtureServer big(ServerOptions{.site_pages = 400});
    ProcessResult made =
        run_acrawl({big.base_url() + "/site/p/0.html", "--depth", "50", "--state", state, "-q"});
    REQUIRE(made.exit_code == 0);
    const auto size = std::filesystem::file_size(state);
    REQUIRE(size > 16384);
    std::filesystem::resize_file(state, size / 3);
    ProcessResult r =
        run_acrawl({big.base_url() + "/site/p/0.html", "--depth", "50", "--state", state, "-q"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(state) != std::string::npos);
    ProcessResult e = run_acrawl({"export", state});
    CHECK(e.exit_code == 2);
  }
  SUBCASE("the output file shortened behind the state's back") {
    REQUIRE(run(state).exit_code == 0);
    write_file(dir / "out.tsv", "x\n");
    ProcessResult r = run(state);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("changed outside acrawl") != std::string::npos);
  }
  SUBCASE("a directory") {
    ProcessResult r = run(dir.path());
    CHECK(r.exit_code == 2);
  }
  SUBCASE("read-only") {
    REQUIRE(run(state).exit_code == 0);
    std::filesystem::permissions(state, std::filesystem::perms::owner_read |
                                            std::filesystem::perms::group_read |
                                            std::filesystem::perms::others_read);
    ProcessResult r;
    if (::geteuid() == 0) {  // root writes read-only files: run as nobody, who cannot
      std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
      std::filesystem::permissions(dir / "out.tsv", std::filesystem::perms::all);
      r = run_process("/usr/bin/setpriv",
                      {"--reuid=65534", "--regid=65534", "--clear-groups", ACRAWL_BIN, url,
                       "--depth", "2", "--state", state, "-o", dir / "out.tsv"});
    } else {
      r = run(state);
    }
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("read-only") != std::string::npos);
  }
  SUBCASE("the disk fills up: the records committed stay whole, and the crawl resumes") {
    FixtureServer big(ServerOptions{.site_pages = 2000});
    const std::string start = big.base_url() + "/site/p/0.html";
    // 400 blocks of 512 bytes: the state outgrows it part way through the crawl.
    const std::string cmd = std::string("trap '' XFSZ; ulimit -f 400; exec ") + ACRAWL_BIN + " " +
                            start + " --depth 50 --state " + state + " -o " + (dir / "out.tsv") +
                            " -q";
    ProcessResult full = run_process("/bin/sh", {"-c", cmd});
    INFO(full.err);
    CHECK(full.exit_code == 2);
    CHECK(full.err.find(state) != std::string::npos);
    // What was committed is intact and agrees with -o.
    ProcessResult exported = run_acrawl({"export", state});
    CHECK(exported.exit_code == 0);
    CHECK(sorted_lines(exported.out) == sorted_lines(read_file(dir / "out.tsv")));
    CHECK(!exported.out.empty());
    // With room again, the same command finishes the crawl, each record once.
    ProcessResult rest =
        run_acrawl({start, "--depth", "50", "--state", state, "-o", dir / "out.tsv", "-q"});
    CHECK(rest.exit_code == 0);
    std::vector<std::string> got = sorted_lines(read_file(dir / "out.tsv"));
    CHECK(got.size() == 2001);
    CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());
  }
}

TEST_CASE("acrawl export: formats, -o, and a missing state") {
  FixtureServer server;
  TempDir dir;
  const std::string url = server.base_url() + "/site/p/0.html";
  REQUIRE(run_acrawl({url, "--depth", "1", "--links", "--format", "jsonl", "--state", dir / "s.db",
                      "-o", dir / "out.jsonl", "-q"})
              .exit_code == 0);
  ProcessResult jsonl = run_acrawl({"export", dir / "s.db", "--format", "jsonl"});
  CHECK(jsonl.exit_code == 0);
  // The export rebuilds the very records -o got, links included.
  CHECK(sorted_lines(jsonl.out) == sorted_lines(read_file(dir / "out.jsonl")));
  CHECK(jsonl.out.find("\"links\":[") != std::string::npos);
  ProcessResult csv = run_acrawl({"export", dir / "s.db", "--format", "csv", "-o", dir / "x.csv"});
  CHECK(csv.exit_code == 0);
  CHECK(read_file(dir / "x.csv").rfind("url,status,title\r\n", 0) == 0);
  ProcessResult missing = run_acrawl({"export", dir / "nope.db"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.db") != std::string::npos);
}

TEST_CASE("--state: Ctrl-C during a transfer leaves its page queued, in every mode") {
  FixtureServer server;
  for (const char* mode : {"async", "threads", "sync"}) {
    CAPTURE(mode);
    TempDir dir;
    server.reset_stats();
    Child child(ACRAWL_BIN, {server.base_url() + "/delay/60000/site/p/1.html", "--state",
                             dir / "s.db", "-o", dir / "out.tsv", "--mode", mode, "--no-progress"});
    // This run's request (the last run's may still be in the server's delay).
    REQUIRE(server.wait_for([](const ServerStats& s) { return s.requests == 1; }));
    child.send_signal(SIGINT);
    CHECK(child.wait(30s) == 130);
    CHECK(child.err().find("1 URLs still queued") != std::string::npos);
    CHECK(sql_count(dir / "s.db", "SELECT count(*) FROM records") == 0);
    CHECK(sql_count(dir / "s.db", "SELECT count(*) FROM queue") == 1);
    CHECK(read_file(dir / "out.tsv").empty());
  }
}

TEST_CASE(
    "--state: --max-pages counts the same pages after a resume (lines that are not URLs "
    "do not count)") {
  FixtureServer server;
  TempDir dir;
  write_file(dir / "urls.txt",
             "bad one\nbad two\nbad three\n" + server.base_url() + "/site/p/0.html\n");
  const std::vector<std::string> args = {
      dir / "urls.txt", "--depth",    "3",  "--max-pages",   "12", "-c", "1",
      "--state",        dir / "s.db", "-o", dir / "out.tsv", "-q"};
  REQUIRE(kill_after(server, args, 4));
  ProcessResult rest = run_acrawl(args);
  CHECK(rest.exit_code == 1);
  std::vector<std::string> got = sorted_lines(read_file(dir / "out.tsv"));
  CHECK(got.size() == 12 + 3);
  CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());
}

TEST_CASE(
    "--state: Ctrl-C while a resumed crawl skips its input is an interruption, not a "
    "different crawl") {
  FixtureServer server;
  TempDir dir;
  const std::string a = server.base_url() + "/site/p/1.html\n";
  const std::string b = server.base_url() + "/site/p/2.html\n";
  REQUIRE(run_acrawl({"-", "--state", dir / "s.db", "-q"}, a + b).exit_code == 0);
  // The same input, arriving slowly: one line, and the second never comes.
  Child child(ACRAWL_BIN, {"-", "--state", dir / "s.db", "--no-progress"});
  child.write_stdin(a);
  child.send_signal(SIGINT);
  CHECK(child.wait(30s) == 130);
  CHECK(child.err().find("different crawl") == std::string::npos);
}

TEST_CASE(
    "--state: a first run whose -o cannot be written leaves the state usable; -o and the "
    "state must be regular files") {
  FixtureServer server;
  TempDir dir;
  const std::string url = server.base_url() + "/site/p/1.html";
  ProcessResult bad = run_acrawl({url, "--state", dir / "s.db", "-o", dir / "no/such/dir/out"});
  CHECK(bad.exit_code == 2);
  ProcessResult good = run_acrawl({url, "--state", dir / "s.db", "-o", dir / "out.tsv", "-q"});
  CHECK(good.exit_code == 0);
  CHECK(lines_of(read_file(dir / "out.tsv")).size() == 1);
  ProcessResult null_out = run_acrawl({url, "--state", dir / "t.db", "-o", "/dev/null"});
  CHECK(null_out.exit_code == 2);
  CHECK(null_out.err.find("regular file") != std::string::npos);
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  ProcessResult fifo = run_acrawl({url, "--state", dir / "fifo"});
  CHECK(fifo.exit_code == 2);
  CHECK(fifo.err.find("not a regular file") != std::string::npos);
  CHECK(run_acrawl({"export", dir / "fifo"}).exit_code == 2);
}

TEST_CASE("--state: --sitemaps killed mid-way resumes: every listed page exactly once") {
  FixtureServer server(ServerOptions{.site_pages = 1500,
                                     .robots_txt = "Sitemap: {{base}}/sitemap-gen/1500.xml.gz\n"});
  TempDir dir;
  const std::string seed = server.base_url() + "/site/";
  ProcessResult ref = run_acrawl({seed, "--sitemaps", "--no-progress", "-q"});
  REQUIRE(ref.exit_code == 0);
  const std::vector<std::string> expected = sorted_lines(ref.out);
  REQUIRE(expected.size() == 1501);
  const std::vector<std::string> args = {
      seed, "--sitemaps", "--state",       dir / "s.db", "-o", dir / "out.tsv",
      "-c", "4",          "--no-progress", "-q"};
  std::size_t kills = 0;
  for (std::size_t k : {3u, 200u, 500u}) kills += kill_after(server, args, k) ? 1 : 0;
  CHECK(kills == 3);
  ProcessResult last = run_acrawl(args);
  INFO(last.err);
  CHECK(last.exit_code == 0);
  check_exactly_once(dir / "out.tsv", expected);
  CHECK(sorted_lines(run_acrawl({"export", dir / "s.db"}).out) == expected);
  // The sitemap files are done too: nothing left queued, nothing fetched again.
  CHECK(last.err.find("still queued") == std::string::npos);
  server.reset_stats();
  ProcessResult again = run_acrawl(args);
  CHECK(again.exit_code == 0);
  CHECK(server.stats().requests == 0);
}
