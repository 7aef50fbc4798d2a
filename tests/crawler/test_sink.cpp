#include <doctest/doctest.h>

#include <string>

#include "crawler/output/record.hpp"
#include "crawler/output/sink.hpp"

using namespace acrawl::crawler;

namespace {
PageRecord page(std::string url, long status, std::optional<std::string> title) {
  PageRecord r;
  r.url = std::move(url);
  r.final_url = r.url;
  r.status = status;
  r.title = std::move(title);
  return r;
}
}  // namespace

TEST_CASE("tsv: url, status, title") {
  CHECK(format_tsv(page("http://a/", 200, "Hello")) == "http://a/\t200\tHello\n");
}

TEST_CASE("tsv: an error word replaces the status; no title is an empty field") {
  PageRecord r = page("http://a/", 0, std::nullopt);
  r.error = "timeout";
  CHECK(format_tsv(r) == "http://a/\ttimeout\t\n");
}

TEST_CASE("tsv: tabs, newlines, C0 and C1 controls and escape sequences become spaces") {
  std::string title =
      "a\tb\nc\rd\x1b[31me\x7f"
      "f\xc2\x9bg";
  CHECK(format_tsv(page("http://a/", 200, title)) == "http://a/\t200\ta b c d [31me f g\n");
}

TEST_CASE("tsv: invalid UTF-8 becomes U+FFFD, valid UTF-8 and no-break spaces stay") {
  CHECK(format_tsv(page("http://a/\xff", 200, "\xe6\x97\xa5\xc2\xa0x\xc3")) ==
        "http://a/\xef\xbf\xbd\t200\t\xe6\x97\xa5\xc2\xa0x\xef\xbf\xbd\n");
}

TEST_CASE("jsonl: every field, nulls for missing values") {
  PageRecord r = page("http://a/", 200, "T");
  r.content_type = "text/html";
  r.bytes = 12;
  r.elapsed_ms = 3.25;
  r.encoding = "UTF-8";
  r.encoding_source = "header";
  CHECK(format_jsonl(r) ==
        R"({"url":"http://a/","final_url":"http://a/","status":200,"error":null,"title":"T",)"
        R"("content_type":"text/html","bytes":12,"elapsed_ms":3.2,"redirects":0,)"
        R"("encoding":"UTF-8","encoding_source":"header","depth":0,"attempts":1})"
        "\n");
  PageRecord e = page("bad", 0, std::nullopt);
  e.final_url.clear();
  e.error = "invalid_url";
  CHECK(format_jsonl(e).find(R"("status":null,"error":"invalid_url","title":null)") !=
        std::string::npos);
}

TEST_CASE("jsonl: depth, a redirect's location and --links") {
  PageRecord r = page("http://a/", 301, "");
  r.depth = 2;
  r.location = "http://a/b";
  CHECK(format_jsonl(r).find(R"("depth":2,"attempts":1,"location":"http://a/b"})") !=
        std::string::npos);
  CHECK(format_jsonl(r).find("links") == std::string::npos);
  r.links.emplace();
  CHECK(format_jsonl(r).find(R"("links":[]})") != std::string::npos);
  r.links->push_back("http://a/x\"y");
  r.links->push_back("http://b/");
  CHECK(format_jsonl(r).find(R"("links":["http://a/x\"y","http://b/"]})") != std::string::npos);
}

TEST_CASE("links file: one page<TAB>link line per link, from the final URL") {
  PageRecord r = page("http://a/", 200, "T");
  r.final_url = "http://a/home";
  CHECK(format_links_tsv(r).empty());
  r.links = std::vector<std::string>{"http://a/1", "http://a/2\tx"};
  CHECK(format_links_tsv(r) == "http://a/home\thttp://a/1\nhttp://a/home\thttp://a/2 x\n");
}

TEST_CASE("jsonl: quotes, backslashes and control characters are escaped; output is UTF-8") {
  std::string line = format_jsonl(page("http://a/\"q\"", 200, "x\\y\n\x01\xff"));
  CHECK(line.find(R"("url":"http://a/\"q\"")") != std::string::npos);
  CHECK(line.find(R"("title":"x\\y\n\u0001)"
                  "\xef\xbf\xbd\"") != std::string::npos);
}

TEST_CASE("csv: RFC 4180 quoting, controls as spaces, CRLF") {
  PageRecord r = page("http://a/?x=1,2", 200, "Say \"hi\", \x1b[1mnow\x1b[0m");
  CHECK(format_csv(r) == "\"http://a/?x=1,2\",200,\"Say \"\"hi\"\",  [1mnow [0m\"\r\n");
  PageRecord plain = page("http://a/", 200, "Plain title");
  CHECK(format_csv(plain) == "http://a/,200,Plain title\r\n");
  PageRecord padded = page("http://a/", 200, " padded ");
  CHECK(format_csv(padded) == "http://a/,200,\" padded \"\r\n");
  PageRecord failed = page("bad", 0, std::nullopt);
  failed.error = "invalid_url";
  CHECK(format_csv(failed) == "bad,invalid_url,\r\n");
}
