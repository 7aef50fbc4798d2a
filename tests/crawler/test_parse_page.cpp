#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/fetch/fetch.hpp"
#include "crawler/html/links.hpp"
#include "crawler/parse/page_record.hpp"
#include "crawler/parse/parse_page.hpp"
#include "crawler/url/url.hpp"

using acrawl::crawler::build_record;
using acrawl::crawler::extract_page;
using acrawl::crawler::FetchResult;
using acrawl::crawler::LinkOptions;
using acrawl::crawler::PageContent;
using acrawl::crawler::parse_page;
using acrawl::crawler::ParsedPage;
using acrawl::crawler::RawLink;
using acrawl::crawler::resolve_links;
using acrawl::crawler::Url;

namespace {

using Strings = std::vector<std::string>;

constexpr const char* kFinal = "http://example.com/dir/page.html";

FetchResult html(std::string body, std::string content_type = "text/html; charset=utf-8",
                 std::string final_url = kFinal) {
  FetchResult r;
  r.code = CURLE_OK;
  r.status = 200;
  r.final_url = std::move(final_url);
  r.content_type = std::move(content_type);
  r.bytes = body.size();
  r.body = std::move(body);
  return r;
}

ParsedPage parse(FetchResult r, LinkOptions options = {}) {
  return parse_page("http://input.test/", std::move(r), options);
}

Strings hrefs(const std::vector<Url>& links) {
  Strings out;
  for (const Url& u : links) out.push_back(u.href());
  return out;
}

Strings links_of(const std::string& body, LinkOptions options = {}) {
  return hrefs(parse(html(body), options).links);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Resolution

TEST_CASE("parse_page: links resolve against the final URL, not the input URL") {
  ParsedPage p = parse_page(
      "http://input.test/start",
      html("<a href=a.html></a><a href=../up></a><a href=/root></a><a href=//other.test/p></a>"
           "<a href=?q=1></a><a href=https://secure.test/></a>"),
      {});
  CHECK(hrefs(p.links) == Strings{"http://example.com/dir/a.html", "http://example.com/up",
                                  "http://example.com/root", "http://other.test/p",
                                  "http://example.com/dir/page.html?q=1", "https://secure.test/"});
  CHECK(p.record.url == "http://input.test/start");
  CHECK(p.record.final_url == kFinal);
}

TEST_CASE("parse_page: <base href> is the base, itself resolved against the final URL") {
  CHECK(links_of("<head><base href=/other/sub/></head><a href=x></a><a href=../y></a>") ==
        Strings{"http://example.com/other/sub/x", "http://example.com/other/y"});
  CHECK(links_of("<base href=http://cdn.test/b/><a href=x></a>") == Strings{"http://cdn.test/b/x"});
  // The first base with an href counts, even one in the body after a link.
  CHECK(links_of("<base target=_top><a href=x></a><base href=/one/><base href=/two/>") ==
        Strings{"http://example.com/one/x"});
  // A base that does not parse is ignored.
  CHECK(links_of("<base href='http://[bad'><a href=x></a>") == Strings{"http://example.com/dir/x"});
}

TEST_CASE("parse_page: fragments are dropped and duplicates merged, first position kept") {
  CHECK(links_of("<a href=a.html#x></a><a href=b.html></a><a href=a.html></a>"
                 "<a href=a.html#y></a><a href=http://example.com/dir/a.html></a>") ==
        Strings{"http://example.com/dir/a.html", "http://example.com/dir/b.html"});
  CHECK(links_of("<a href=#top></a>") == Strings{kFinal});
}

TEST_CASE("parse_page: only http and https links are kept") {
  CHECK(
      links_of("<a href=mailto:a@b.test></a><a href='javascript:void(0)'></a>"
               "<a href=ftp://files.test/f></a><a href='data:text/html,x'></a>"
               "<a href=tel:123></a><a href=HTTPS://ok.test/></a><a href=http://ok2.test/></a>") ==
      Strings{"https://ok.test/", "http://ok2.test/"});
}

TEST_CASE("parse_page: character references in href are decoded") {
  CHECK(links_of("<a href='/s?a=1&amp;b=2'></a>") == Strings{"http://example.com/s?a=1&b=2"});
}

TEST_CASE("parse_page: <area href> is a link, SVG <a> is not") {
  CHECK(links_of("<map name=m><area href=/map1 shape=rect coords=0,0,1,1></map>") ==
        Strings{"http://example.com/map1"});
  CHECK(links_of("<svg><a href=/svg-link><text>x</text></a></svg><a href=/html-link></a>") ==
        Strings{"http://example.com/html-link"});
}

TEST_CASE("parse_page: rel=nofollow links are dropped only when asked") {
  const std::string body =
      "<a href=/a rel=nofollow></a><a href=/b rel='noopener NOFOLLOW'></a>"
      "<a href=/c rel=follow></a>";
  CHECK(links_of(body) ==
        Strings{"http://example.com/a", "http://example.com/b", "http://example.com/c"});
  CHECK(links_of(body, LinkOptions{.respect_nofollow = true}) == Strings{"http://example.com/c"});
}

TEST_CASE("parse_page: <meta name=robots content=nofollow> sets nofollow") {
  ParsedPage p = parse(html("<meta name=robots content='noindex, nofollow'><a href=/a></a>"));
  CHECK(p.nofollow);
  CHECK(hrefs(p.links) == Strings{"http://example.com/a"});  // the caller decides what to do
  CHECK(parse(html("<meta name=ROBOTS content=none>")).nofollow);
  CHECK_FALSE(parse(html("<meta name=robots content=noindex>")).nofollow);
  CHECK_FALSE(parse(html("<meta name=description content=nofollow>")).nofollow);
}

TEST_CASE("parse_page: a non-ASCII href of a windows-1252 page becomes UTF-8 percent-escapes") {
  ParsedPage p = parse(html("<a href=\"/caf\xE9.html\">x</a>", "text/html; charset=windows-1252"));
  CHECK(hrefs(p.links) == Strings{"http://example.com/caf%C3%A9.html"});
  CHECK(p.record.encoding == "windows-1252");
}

TEST_CASE("parse_page: the query of a link is encoded in the page's own encoding") {
  // Shift_JIS bytes of "日本" in a query, as a Japanese search link would have them.
  ParsedPage sjis = parse(
      html("<a href=\"/search?q=\x93\xFA\x96\x7B&amp;p=1\">x</a>", "text/html; charset=shift_jis"));
  CHECK(hrefs(sjis.links) == Strings{"http://example.com/search?q=%93%FA%96{&p=1"});
  ParsedPage cp1251 =
      parse(html("<meta charset=windows-1251><a href=\"?q=\xCF\xF0\xE8\">x</a>", "text/html"));
  REQUIRE(cp1251.links.size() == 1);
  CHECK(cp1251.links[0].search() == "?q=%CF%F0%E8");
  // The same page in UTF-8 keeps UTF-8 escapes.
  ParsedPage utf8 = parse(html("<a href=\"?q=\xD0\x9F\">x</a>", "text/html; charset=utf-8"));
  REQUIRE(utf8.links.size() == 1);
  CHECK(utf8.links[0].search() == "?q=%D0%9F");
}

// ---------------------------------------------------------------------------------------------
// The record

TEST_CASE("parse_page: the record's title is build_record's") {
  const std::string long_head =
      "<head><style>" + std::string(40000, ' ') + "p{}</style>" + std::string(1000, '\n') +
      "<script>var t = '</title>';</script><title>Late &amp; long</title>";
  const std::vector<std::pair<std::string, std::string>> pages = {
      {"<title>Simple</title>", "text/html; charset=utf-8"},
      {"<title>  Lots \n of\t space </title>", "text/html"},
      {long_head, "text/html; charset=utf-8"},
      {"<head><!-- <title>Old</title> --><title>Real</title></head>", "text/html"},
      {"<svg><title>Svg</title></svg><title>Html</title>", "text/html"},
      {"<title>Caf\xE9</title>", "text/html; charset=windows-1252"},
      {"<p>no title at all</p>", "text/html"},
  };
  for (const auto& page : pages) {
    const auto& body = page.first;  // INFO captures it: no structured binding (clang 14)
    const auto& type = page.second;
    INFO(body.substr(0, 80), " as ", type);
    ParsedPage p = parse(html(body, type));
    auto expected = build_record("http://input.test/", html(body, type));
    REQUIRE(expected.title);
    CHECK(p.record.title == expected.title);
    CHECK(p.record.encoding == expected.encoding);
    CHECK(p.record.encoding_source == expected.encoding_source);
  }
  // Spot checks that the comparison above compares something.
  CHECK(parse(html(long_head)).record.title == "Late & long");
  CHECK(parse(html("<p>x</p>")).record.title == "");
  CHECK(parse(html("<title>Caf\xE9</title>", "text/html; charset=windows-1252")).record.title ==
        "Caf\xC3\xA9");
}

TEST_CASE("parse_page: the record's title is build_record's on every fixture page") {
  std::ifstream manifest(std::string(ACRAWL_FIXTURES_DIR) + "/pages/manifest.tsv");
  REQUIRE(manifest.good());
  std::string line;
  std::getline(manifest, line);  // header
  int pages = 0;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string file, type;
    std::getline(fields, file, '\t');
    std::getline(fields, type, '\t');
    const std::string body = read_file(std::string(ACRAWL_FIXTURES_DIR) + "/pages/" + file);
    INFO(file, " as ", type);
    CHECK(parse(html(body, type)).record.title ==
          build_record("http://input.test/", html(body, type)).title);
    ++pages;
  }
  CHECK(pages >= 30);
}

TEST_CASE("parse_page: into_record lists the links' hrefs in order") {
  const std::string body =
      "<a href=/b#f></a><a href=mailto:x@y.test></a><a href=/a></a><a href=/b></a>";
  ParsedPage with = parse(html(body), LinkOptions{.into_record = true});
  REQUIRE(with.record.links);
  CHECK(*with.record.links == Strings{"http://example.com/b", "http://example.com/a"});
  CHECK(*with.record.links == hrefs(with.links));

  ParsedPage without = parse(html(body), LinkOptions{.into_record = false});
  CHECK_FALSE(without.record.links);
  CHECK(hrefs(without.links) == Strings{"http://example.com/b", "http://example.com/a"});
}

TEST_CASE("parse_page: a page that is not HTML has no links and no title") {
  const std::string body = "<title>T</title><a href=/a></a>";
  for (const char* type : {"text/plain", "application/pdf", "application/json"}) {
    INFO(type);
    ParsedPage p = parse(html(body, type), LinkOptions{.into_record = true});
    CHECK(p.links.empty());
    CHECK_FALSE(p.record.title);
    REQUIRE(p.record.links);  // with --links the field is present, and empty
    CHECK(p.record.links->empty());
  }
  // The same body as HTML does give both (the failures above are the content type's doing).
  ParsedPage ok = parse(html(body, "text/html"));
  CHECK(ok.links.size() == 1);
  CHECK(ok.record.title == "T");
}

TEST_CASE("parse_page: a failed transfer has no links and no title") {
  FetchResult r = html("<title>T</title><a href=/a></a>");
  r.code = CURLE_COULDNT_CONNECT;
  r.status = 0;
  ParsedPage p = parse(std::move(r), LinkOptions{.into_record = true});
  CHECK(p.links.empty());
  CHECK_FALSE(p.record.title);
  CHECK_FALSE(p.record.error.empty());
  REQUIRE(p.record.links);
  CHECK(p.record.links->empty());
}

// ---------------------------------------------------------------------------------------------
// resolve_links on its own

TEST_CASE("resolve_links: base, scheme filter, fragments, nofollow") {
  PageContent content;
  content.base_href = "sub/";
  content.links = {RawLink{"a#1", false}, RawLink{"a#2", false}, RawLink{"b", true},
                   RawLink{"mailto:x@y.test", false}, RawLink{"/c", false}};
  std::optional<Url> page = Url::parse("https://h.test/dir/index.html");
  REQUIRE(page);
  CHECK(hrefs(resolve_links(content, *page, false)) ==
        Strings{"https://h.test/dir/sub/a", "https://h.test/dir/sub/b", "https://h.test/c"});
  CHECK(hrefs(resolve_links(content, *page, true)) ==
        Strings{"https://h.test/dir/sub/a", "https://h.test/c"});
}

TEST_CASE("resolve_links: many distinct and duplicate links") {
  // Enough links for the dedup set to see many insertions into the result vector.
  std::string body;
  Strings expected;
  for (int i = 0; i < 300; ++i) {
    body +=
        "<a href=/p" + std::to_string(i) + "></a><a href=/p" + std::to_string(i / 2) + "#x></a>";
    expected.push_back("http://example.com/p" + std::to_string(i));
  }
  std::optional<Url> page = Url::parse(kFinal);
  REQUIRE(page);
  CHECK(hrefs(resolve_links(extract_page(body), *page, false)) == expected);
}
