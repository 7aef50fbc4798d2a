// End to end: TSV, CSV and JSONL of the same crawl, parsed back with real readers (Python's json
// and csv modules): the same titles everywhere, and nothing a terminal would act on.

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::test::run_process;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_path(const char* suffix) {
  char path[] = "/tmp/acrawl-formats-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::remove(path);
  return std::string(path) + suffix;
}

// Reads the three files with Python's json and csv modules (strict), compares titles per URL
// (JSON's control characters shown as TSV and CSV show them: spaces), prints "OK <records>".
constexpr const char* kReader = R"PY(
import csv, json, sys
tsv_path, csv_path, jsonl_path = sys.argv[1:4]
def visible(s):
    return "".join(" " if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f else c for c in s)
titles_json = {}
with open(jsonl_path, encoding="utf-8", newline="") as f:
    for line in f:
        rec = json.loads(line)
        assert isinstance(rec, dict) and set(("url", "status", "title")) <= rec.keys(), line
        titles_json[visible(rec["url"])] = "" if rec["title"] is None else visible(rec["title"])
with open(csv_path, encoding="utf-8", newline="") as f:
    rows = list(csv.reader(f, strict=True))
assert rows[0] == ["url", "status", "title"], rows[0]
titles_csv = {}
for row in rows[1:]:
    assert len(row) == 3, row
    titles_csv[row[0]] = row[2]
titles_tsv = {}
with open(tsv_path, encoding="utf-8", newline="") as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        assert len(fields) == 3, repr(line)
        titles_tsv[fields[0]] = fields[2]
assert titles_json == titles_csv == titles_tsv, (
    set(titles_json.items()) ^ set(titles_csv.items()) ^ set(titles_tsv.items()))
print("OK", len(titles_json))
)PY";

}  // namespace

TEST_CASE("TSV, CSV and JSONL say the same, parse back with real readers, and are terminal-safe") {
  FixtureServer server;
  const std::string b = server.base_url();
  std::string urls;
  std::ifstream manifest(std::string(ACRAWL_FIXTURES_DIR) + "/pages/manifest.tsv");
  std::string line;
  std::getline(manifest, line);  // header
  int pages = 0;
  while (std::getline(manifest, line)) {
    urls += b + "/pages/" + line.substr(0, line.find('\t')) + "\n";
    ++pages;
  }
  urls += b + "/status/404\n" + b + "/reset\nnot a url, \"with\" quotes\n";
  urls += "not a url either \x1b[31m\x07 red\n";  // escape sequences in the record's URL
  const std::vector<std::pair<std::string, std::string>> formats = {
      {"tsv", temp_path(".tsv")}, {"csv", temp_path(".csv")}, {"jsonl", temp_path(".jsonl")}};
  for (const auto& entry : formats) {
    const auto& format = entry.first;  // INFO captures it: no structured binding (clang 14)
    const auto& path = entry.second;
    auto res = run_process(ACRAWL_BIN,
                           {"-", "--format", format, "-o", path, "--retries", "0", "--no-progress"},
                           urls, 120s);
    CHECK(res.exit_code == 1);
    const std::string raw = slurp(path);
    INFO("format " << format);
    // Nothing a terminal interprets: no ESC, BEL or C1 CSI, whatever the pages' titles hold.
    CHECK(raw.find('\x1b') == std::string::npos);
    CHECK(raw.find('\x07') == std::string::npos);
    CHECK(raw.find("\xC2\x9B") == std::string::npos);
  }
  CHECK(slurp(formats[2].second).find("\\u001b[31m\\u0007 red") != std::string::npos);
  // The title's ESC became U+FFFD at parsing (gumbo), in every format alike.
  CHECK(slurp(formats[2].second).find("Evil \xEF\xBF\xBD[31mred") != std::string::npos);
  auto reader = run_process(
      "/usr/bin/python3", {"-c", kReader, formats[0].second, formats[1].second, formats[2].second},
      {}, 60s);
  INFO(reader.err);
  CHECK(reader.exit_code == 0);
  CHECK(reader.out == "OK " + std::to_string(pages + 4) + "\n");
  for (const auto& [format, path] : formats) std::remove(path.c_str());
}
