#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "crawler/html/title.hpp"
#include "crawler/parse/page_record.hpp"
#include "crawler/parse/page_title.hpp"
#include "crawler/parse/parse_page.hpp"
#include "crawler/text/charset.hpp"
#include "crawler/text/utf8.hpp"
#include "fixtures/server/site.hpp"

using namespace acrawl::crawler;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a full decode and a full parse say.
std::string reference_title(const std::string& body, const std::string& content_type) {
  DecodedHtml d = decode_html(body, content_type);
  return extract_title_full(d.utf8).value_or("");
}

std::string fast_title(const std::string& body, const std::string& content_type) {
  PageRecord rec;
  rec.content_type = content_type;
  fill_title(rec, body);
  return rec.title.value_or("<none>");
}

}  // namespace

TEST_CASE("the prefix shortcut gives the full parse's title on every fixture page") {
  int pages = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(ACRAWL_FIXTURES_DIR) + "/pages")) {
    if (entry.path().extension() != ".html") continue;
    std::string body = read_file(entry.path());
    for (const char* type : {"text/html", "text/html; charset=utf-8", "text/html; charset=gbk"}) {
      INFO(entry.path().filename().string(), " as ", type);
      CHECK(fast_title(body, type) == reference_title(body, type));
    }
    ++pages;
  }
  CHECK(pages >= 60);
}

TEST_CASE("the prefix shortcut gives the full parse's title on 1000 generated site pages") {
  for (std::size_t n = 0; n < 1000; ++n) {
    std::string body = acrawl::fixtures::render_site_page(n, 1000, "http://127.0.0.1:1");
    CHECK(fast_title(body, "text/html; charset=utf-8") == reference_title(body, "text/html"));
    CHECK(fast_title(body, "text/html") == acrawl::fixtures::site_page_title(n));
  }
}

TEST_CASE("the prefix shortcut is not fooled by what can move or hide a title") {
  const char* pages[] = {
      // a </title> inside a script, a comment, an attribute or RCDATA before the real one
      "<head><script>var s='</title>';</script><title>Real</title></head>",
      "<head><!-- <title>Old</title> --><title>Real</title></head>",
      "<head><textarea></title></textarea><title>Body one</title>",
      "<head><style></title></style><title>Real</title></head>",
      // a title that is not directly in <head>: foster parenting, body, frameset, svg
      "<table><title>In table</title><tr><td>x</td></tr></table><title>Second</title>",
      "<body><p><title>In body</title></p><title>Second</title>",
      "<head></head><frameset><title>F</title></frameset><title>After</title>",
      "<svg><title>Svg</title></svg><title>Html</title>",
      "<head><template><title>T</title></template><title>Real</title></head>",
      // unclosed and odd end tags
      "<title>Never closed",
      "<title>A</TITLE  ><title>B</title>",
      "<title>A</titlex><title>B</title>",
      "<head><title>A</title></head><title>B</title>",
  };
  for (const char* page : pages) {
    INFO(page);
    CHECK(fast_title(page, "text/html") == reference_title(page, "text/html"));
  }
}

TEST_CASE("sniff_encoding follows BOM > header > meta > detection > windows-1252") {
  CHECK(sniff_encoding("\xEF\xBB\xBFx", "text/html; charset=gbk").encoding == Encoding::utf8);
  CHECK(sniff_encoding("\xEF\xBB\xBFx", "").bom_length == 3);
  CHECK(sniff_encoding("<meta charset=gbk>", "text/html; charset=koi8-r").encoding ==
        Encoding::koi8_r);
  CHECK(sniff_encoding("<meta charset=gbk>", "text/html").source == EncodingSource::meta);
  CHECK(sniff_encoding("caf\xC3\xA9", "text/html").source == EncodingSource::detected);
  CHECK(sniff_encoding("caf\xE9 au lait", "text/html").encoding == Encoding::windows_1252);
  CHECK_FALSE(markup_is_ascii(Encoding::iso_2022_jp));
  CHECK_FALSE(markup_is_ascii(Encoding::utf16le));
  CHECK(markup_is_ascii(Encoding::shift_jis));
}

TEST_CASE("titles over 1,024 characters are cut on a character boundary, in both parse paths") {
  acrawl::crawler::FetchResult r;
  r.code = CURLE_OK;
  r.status = 200;
  r.final_url = "http://h/";
  r.content_type = "text/html; charset=utf-8";
  std::string title;
  for (int i = 0; i < 600; ++i) title += "\xC3\xA9\xE6\x97\xA5";  // "é日": 2 and 3 bytes
  r.body = "<title>" + title + "</title>";
  for (bool links : {false, true}) {
    INFO("links " << links);
    acrawl::crawler::PageRecord rec = links ? acrawl::crawler::parse_page("http://h/", r, {}).record
                                            : acrawl::crawler::build_record("http://h/", r);
    REQUIRE(rec.title);
    CHECK(*rec.title == title.substr(0, 512 * 5));  // 1,024 characters = 512 pairs
    CHECK(acrawl::crawler::is_valid_utf8(*rec.title));
  }
  r.body = "<title>" + std::string(1024, 'x') + "</title>";
  CHECK(acrawl::crawler::build_record("http://h/", r).title->size() == 1024);
}
