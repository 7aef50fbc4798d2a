// End to end: the built acrawl binary against the fixture server on 127.0.0.1.

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "fixtures/server/site.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::ServerOptions;
using acrawl::test::ProcessResult;
using acrawl::test::run_process;

namespace {

struct TsvRecord {
  std::string status;
  std::string title;
  int count = 0;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(cur);
  return parts;
}

// url -> record; every line must have exactly three fields.
std::map<std::string, TsvRecord> parse_tsv(const std::string& out) {
  std::map<std::string, TsvRecord> records;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto f = split(line, '\t');
    REQUIRE_MESSAGE(f.size() == 3, "bad TSV line: " << line);
    auto& r = records[f[0]];
    r.status = f[1];
    r.title = f[2];
    ++r.count;
  }
  return records;
}

struct ManifestRow {
  std::string file, content_type, encoding, source, title;
};

std::vector<ManifestRow> read_manifest() {
  std::ifstream in(std::string(ACRAWL_FIXTURES_DIR) + "/pages/manifest.tsv");
  REQUIRE(in);
  std::vector<ManifestRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split(line, '\t');
    REQUIRE(f.size() == 5);
    rows.push_back({f[0], f[1], f[2], f[3], f[4] == "-" ? "" : f[4]});
  }
  return rows;
}

std::string write_temp(const std::string& content) {
  char path[] = "/tmp/acrawl-e2e-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::close(fd);
  return path;
}

ProcessResult run_acrawl(const std::vector<std::string>& args, const std::string& stdin_data = {}) {
  return run_process(ACRAWL_BIN, args, stdin_data, std::chrono::seconds(120));
}

}  // namespace

TEST_CASE("every fixture page: the title the manifest promises, one record each") {
  FixtureServer server;
  auto rows = read_manifest();
  REQUIRE(rows.size() >= 40);
  std::string urls;
  for (const auto& r : rows) urls += server.base_url() + "/pages/" + r.file + "\n";
  std::string list = write_temp(urls);
  auto res = run_acrawl({list, "--concurrency", "50"});
  std::remove(list.c_str());
  CHECK(res.exit_code == 0);
  auto records = parse_tsv(res.out);
  CHECK(records.size() == rows.size());
  for (const auto& r : rows) {
    const auto& rec = records[server.base_url() + "/pages/" + r.file];
    INFO("page ", r.file);
    CHECK(rec.count == 1);
    CHECK(rec.status == "200");
    CHECK(rec.title == r.title);
  }
}

TEST_CASE("jsonl reports the charset and where it was found, per the manifest") {
  FixtureServer server;
  auto rows = read_manifest();
  std::string urls;
  for (const auto& r : rows) urls += server.base_url() + "/pages/" + r.file + "\n";
  auto res = run_acrawl({"-", "--format", "jsonl"}, urls);
  CHECK(res.exit_code == 0);
  std::istringstream in(res.out);
  std::string line;
  std::size_t lines = 0;
  std::map<std::string, std::string> by_url;
  while (std::getline(in, line)) {
    ++lines;
    auto start = line.find("\"url\":\"") + 7;
    by_url[line.substr(start, line.find('"', start) - start)] = line;
  }
  CHECK(lines == rows.size());
  for (const auto& r : rows) {
    const std::string& l = by_url[server.base_url() + "/pages/" + r.file];
    INFO("page ", r.file, ": ", l);
    CHECK(l.find("\"encoding\":\"" + r.encoding + "\"") != std::string::npos);
    std::string source = r.source == "fallback" ? "default" : r.source;
    CHECK(l.find("\"encoding_source\":\"" + source + "\"") != std::string::npos);
  }
}

TEST_CASE("the generated site: 500 pages, every title right") {
  ServerOptions server_options;
  server_options.site_pages = 500;
  FixtureServer server(server_options);
  std::string urls;
  for (int n = 0; n < 500; ++n)
    urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
  auto res = run_acrawl({"-", "-c", "50"}, urls);
  CHECK(res.exit_code == 0);
  auto records = parse_tsv(res.out);
  REQUIRE(records.size() == 500);
  for (std::size_t n = 0; n < 500; ++n) {
    const auto& rec = records[server.base_url() + "/site/p/" + std::to_string(n) + ".html"];
    CHECK(rec.count == 1);
    CHECK(rec.title == acrawl::fixtures::site_page_title(n));
  }
}

TEST_CASE("faults: each URL gets exactly one record saying what happened") {
  FixtureServer server;
  const std::string b = server.base_url();
  std::map<std::string, std::string> expected = {
      {b + "/status/404", "404"},
      {b + "/status/503", "503"},
      {b + "/reset", "reset"},
      {b + "/truncated", "truncated"},
      {b + "/redirect/3", "200"},
      {b + "/redirect-loop", "too_many_redirects"},
      {b + "/redirect-to?url=file%3A%2F%2F%2Fetc%2Fpasswd", "unsupported_scheme"},
      {b + "/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2Fx", "unsupported_scheme"},
      {b + "/huge/3000000", "too_large"},
      {b + "/binary", "200"},
      {b + "/gzip-page", "200"},
      {b + "/gzip-bomb/50", "too_large"},  // 50 MiB of zeros in ~50 KB: the cap is on decoded bytes
      {b + "/malformed-headers", "protocol"},
      {b + "/delay/3000/site/p/1.html", "timeout"},
      {"http://127.0.0.1:1/", "refused"},
      {"file:///etc/passwd", "unsupported_scheme"},
      {"ftp://127.0.0.1/", "unsupported_scheme"},
      {"not a url", "invalid_url"},
  };
  std::string urls;
  for (const auto& [url, status] : expected) urls += url + "\n";
  auto res = run_acrawl({"-", "--max-bytes", "1000000", "--timeout", "1"}, urls);
  CHECK(res.exit_code == 1);
  auto records = parse_tsv(res.out);
  CHECK(records.size() == expected.size());
  for (const auto& entry : expected) {
    const std::string& url = entry.first;  // INFO captures it: no structured binding (clang 14)
    const std::string& status = entry.second;
    INFO("url ", url);
    CHECK(records[url].count == 1);
    CHECK(records[url].status == status);
  }
  CHECK(records[b + "/redirect/3"].title == "Redirect target");
  CHECK(records[b + "/binary"].title.empty());
  CHECK(records[b + "/gzip-page"].title == "Compressed page");
}

TEST_CASE("a server dribbling bytes is cut off by --min-speed, long before --timeout") {
  FixtureServer server;
  // 10 bytes a second for 10,000 seconds.
  const std::string url = server.base_url() + "/slow/100000/10/1000";
  auto res = run_acrawl({url, "--min-speed", "100", "--min-speed-time", "2", "--timeout", "60",
                         "--retries", "0", "--format", "jsonl"});
  CHECK(res.exit_code == 1);
  CHECK(res.out.find("\"error\":\"timeout\"") != std::string::npos);
  // The transfer's own duration, as libcurl measured it: cut after about 2 s, not 60.
  const auto at = res.out.find("\"elapsed_ms\":");
  REQUIRE(at != std::string::npos);
  const double elapsed_ms = std::stod(res.out.substr(at + 13));
  CHECK(elapsed_ms >= 1900);
  CHECK(elapsed_ms < 30000);
  // --min-speed 0 leaves only --timeout.
  auto slow = run_acrawl({url, "--min-speed", "0", "--timeout", "3"});
  CHECK(parse_tsv(slow.out)[url].status == "timeout");
}

TEST_CASE("concurrency is real and bounded: 200 pages, 50 at a time exactly") {
  FixtureServer server;
  std::string urls;
  // The server holds each request until 50 wait together: the pages come back only if acrawl
  // keeps 50 in flight at once (a serial or capped crawl would run into --timeout instead).
  for (int n = 0; n < 200; ++n) {
    urls += server.base_url() + "/barrier/50/site/p/" + std::to_string(n) + ".html\n";
  }
  auto res = run_acrawl({"-", "--concurrency", "50", "--timeout", "60"}, urls);
  CHECK(res.exit_code == 0);
  auto records = parse_tsv(res.out);
  CHECK(records.size() == 200);
  for (const auto& [url, rec] : records) CHECK(rec.status == "200");
  CHECK(server.stats().max_in_flight == 50);
}

TEST_CASE("bad input: a missing file is exit 2 with the file named") {
  auto res = run_acrawl({"/nonexistent/urls.txt"});
  CHECK(res.exit_code == 2);
  CHECK(res.out.empty());
  CHECK(res.err.find("/nonexistent/urls.txt") != std::string::npos);
}

TEST_CASE("bad input and output: a directory, a full disk: a clear error and exit 2, no crash") {
  auto dir = run_acrawl({"/tmp"});
  CHECK(dir.exit_code == 2);
  CHECK(dir.err.find("'/tmp': Is a directory") != std::string::npos);
  FixtureServer server;
  auto full = run_acrawl({server.base_url() + "/site/p/1.html", "-o", "/dev/full"});
  CHECK(full.exit_code == 2);
  CHECK(full.err.find("No space left on device") != std::string::npos);
}

TEST_CASE("bad input: binary, a megabyte line, NUL, BOM, CRLF, IDN, spaces, userinfo") {
  FixtureServer server;
  const std::string b = server.base_url();
  std::string input = "\xEF\xBB\xBF" + b + "/site/p/1.html\r\n";        // BOM, CRLF
  for (int i = 0; i < 256; ++i) input.push_back(static_cast<char>(i));  // binary noise
  input += "\n" + b + "/" + std::string(1 << 20, 'a') + "\n";           // a megabyte line
  input += b + "/site/p/2.html\n";
  input += b + "/site/p/";
  input.push_back('\0');  // a NUL byte
  input += "3.html\n";
  input +=
      "http://b\xC3\xBC"
      "cher.invalid/\n";                                          // IDN, no such host
  input += b + "/site/p/4 .html\n";                               // a space: %20
  input += "http://user:pw@" + b.substr(7) + "/site/p/5.html\n";  // userinfo
  const std::string path = write_temp(input);
  auto res = run_acrawl({path, "--retries", "0", "--connect-timeout", "2", "--format", "jsonl"});
  std::remove(path.c_str());
  CHECK(res.exit_code == 1);
  CHECK(res.out.find(R"("url":")" + b + R"(/site/p/1.html","final_url")") != std::string::npos);
  CHECK(res.out.find(R"("title":"Page 2 \u00b7 acrawl fixture site")") == std::string::npos);
  CHECK(res.out.find("Page 2 \xC2\xB7 acrawl fixture site") != std::string::npos);
  CHECK(res.out.find("Page 5 \xC2\xB7 acrawl fixture site") != std::string::npos);  // userinfo
  CHECK(res.out.find(R"("final_url":")" + b + R"(/site/p/4%20.html")") != std::string::npos);
  CHECK(res.out.find(R"(/aaaaaaaaaa)") != std::string::npos);  // the long line got its record
  // One record per input line: the summary counts what was written.
  const auto records = static_cast<std::size_t>(std::count(res.out.begin(), res.out.end(), '\n'));
  CHECK(res.err.find(std::to_string(records) + " pages") != std::string::npos);
  CHECK(records >= 8);
}

TEST_CASE("bad input: a line that is not a URL is an invalid_url record and a warning naming it") {
  FixtureServer server;
  std::string list = write_temp(server.base_url() + "/site/p/1.html\nexample.com/no-scheme\n");
  auto res = run_acrawl({list});
  std::remove(list.c_str());
  CHECK(res.exit_code == 1);
  auto records = parse_tsv(res.out);
  CHECK(records.size() == 2);
  CHECK(records["example.com/no-scheme"].status == "invalid_url");
  CHECK(res.err.find(list + ":2") != std::string::npos);
}

TEST_CASE("no local file is ever read: file:// inputs and redirects are refused") {
  FixtureServer server;
  std::string secret = write_temp("<title>SECRET-LOCAL-FILE</title>");
  std::string urls = "file://" + secret + "\n" + server.base_url() +
                     "/redirect-to?url=file%3A%2F%2F" + secret + "\n";
  auto res = run_acrawl({"-", "--format", "jsonl"}, urls);
  std::remove(secret.c_str());
  CHECK(res.exit_code == 1);
  CHECK(res.out.find("SECRET-LOCAL-FILE") == std::string::npos);
  CHECK(res.out.find("\"error\":\"unsupported_scheme\"") != std::string::npos);
}

TEST_CASE("-o writes records to a file, stdout stays empty; all ok exits 0") {
  FixtureServer server;
  char dir[] = "/tmp/acrawl-out-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string out = std::string(dir) + "/records.tsv";
  auto res = run_acrawl({server.base_url() + "/site/p/2.html", "-o", out});
  CHECK(res.exit_code == 0);
  CHECK(res.out.empty());
  std::ifstream in(out);
  std::stringstream content;
  content << in.rdbuf();
  CHECK(parse_tsv(content.str()).size() == 1);
  std::remove(out.c_str());
  ::rmdir(dir);
}

TEST_CASE("usage: --version and --help exit 0; unknown options and no input exit 2") {
  auto v = run_acrawl({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("acrawl ") != std::string::npos);
  auto h = run_acrawl({"--help"});
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("--concurrency") != std::string::npos);
  CHECK(h.out.find("Examples") != std::string::npos);
  CHECK(run_acrawl({"--no-such-option", "x"}).exit_code == 2);
  CHECK(run_acrawl({}).exit_code == 2);
  CHECK(run_acrawl({"-", "--concurrency", "0"}).exit_code == 2);
  CHECK(run_acrawl({"-", "--format", "xml"}).exit_code == 2);
}

TEST_CASE("durations: NaN, infinity, zero and negatives are usage errors; huge ones are clamped") {
  for (const char* bad : {"nan", "inf", "-inf", "0", "-1", "abc", "1s"}) {
    INFO("--timeout " << bad);
    auto res = run_acrawl({"--timeout", bad, "http://127.0.0.1:1/"});
    CHECK(res.exit_code == 2);
    CHECK(res.err.find("--timeout") != std::string::npos);
    CHECK(res.out.empty());
  }
  CHECK(run_acrawl({"--connect-timeout", "nan", "http://127.0.0.1:1/"}).exit_code == 2);
  CHECK(run_acrawl({"--max-pages", "-1", "http://127.0.0.1:1/"}).exit_code == 2);
  // 1e300 s would overflow into "no timeout at all": it is taken as a million seconds. A
  // thousandth of a millisecond is at least 1 ms (0 would mean no timeout to libcurl).
  FixtureServer server;
  auto huge = run_acrawl({"--timeout", "1e300", "--connect-timeout", "1e300", "-v",
                          server.base_url() + "/site/p/1.html"});
  CHECK(huge.exit_code == 0);
  CHECK(huge.err.find("connect timeout 1000000000 ms, transfer timeout 1000000000 ms") !=
        std::string::npos);
  auto tiny = run_acrawl({"--timeout", "1e-9", "--retries", "0", "-v",
                          server.base_url() + "/delay/200/site/p/1.html"});
  CHECK(tiny.err.find("transfer timeout 1 ms") != std::string::npos);
  CHECK(tiny.out.find("\ttimeout\t") != std::string::npos);
}

// The sanitizers' runtimes need free descriptors of their own (UBSan tests memory through a
// pipe, and reports a false error when it cannot make one): this case runs in the plain build.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST_CASE("acrawl that cannot run (no file descriptors left) says why and exits 3" *
          doctest::skip(kSanitized)) {
  auto res = run_process("/bin/sh", {"-c", std::string("ulimit -n 5; exec ") + ACRAWL_BIN +
                                               " http://127.0.0.1:1/ --retries 0"});
  CHECK(res.exit_code == 3);
  CHECK(res.err.find("cannot run: ") != std::string::npos);
  CHECK(res.err.find("Too many open files") != std::string::npos);
  CHECK(res.out.empty());
}
