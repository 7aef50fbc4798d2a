#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html/links.hpp"
#include "crawler/html/title.hpp"
#include "crawler/text/charset.hpp"
#include "crawler/text/utf8.hpp"
#include "fixtures/server/site.hpp"

using namespace std::string_view_literals;
using acrawl::crawler::decode_html;
using acrawl::crawler::extract_page;
using acrawl::crawler::extract_title_full;
using acrawl::crawler::is_valid_utf8;
using acrawl::crawler::PageContent;

namespace {

std::vector<std::string> hrefs(const PageContent& page) {
  std::vector<std::string> out;
  for (const auto& link : page.links) out.push_back(link.href);
  return out;
}

std::vector<std::string> hrefs(std::string_view html) {
  return hrefs(extract_page(html));
}

using Strings = std::vector<std::string>;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fixture(std::string_view name) {
  return read_file(std::string(ACRAWL_FIXTURES_DIR) + "/links/" + std::string(name));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Links

TEST_CASE("extract_page: a and area hrefs in tree order") {
  CHECK(hrefs("<a href=one>1</a><p><a href='two'>2</a></p>") == Strings{"one", "two"});
  CHECK(hrefs("<map><area href=/a.html><area href=/b.html></map>") ==
        Strings{"/a.html", "/b.html"});
  CHECK(hrefs("<a href=x></a><area href=y><a href=z></a>") == Strings{"x", "y", "z"});
  CHECK(hrefs("").empty());
  CHECK(hrefs("<p>no links</p><link href=style.css><img src=i.png>").empty());
}

TEST_CASE("extract_page: tag and attribute names in any case") {
  CHECK(hrefs("<A HREF=\"Upper.html\">u</A><aReA hReF=mixed>") == Strings{"Upper.html", "mixed"});
}

TEST_CASE("extract_page: an a without href is not a link, an empty href is") {
  CHECK(hrefs("<a name=top>t</a><a id=x></a><a href>e</a><a href=''>f</a>") == Strings{"", ""});
  CHECK(hrefs("<area nohref><area alt=x>").empty());
}

TEST_CASE("extract_page: entities in href are decoded by the parser") {
  CHECK(hrefs("<a href=\"?a=1&amp;b=2\">x</a>") == Strings{"?a=1&b=2"});
  CHECK(hrefs("<a href=\"/caf&eacute;?x=&#60;&#x3e;\">x</a>") == Strings{"/café?x=<>"});
  // An attribute value keeps "&copy=" as is (the legacy rule for attributes), but decodes "&copy ".
  CHECK(hrefs("<a href=\"?a=1&copy=2\">x</a><a href=\"&copy 2\">y</a>") ==
        Strings{"?a=1&copy=2", "© 2"});
}

TEST_CASE("extract_page: whitespace in href is kept raw (the URL parser strips it)") {
  CHECK(hrefs("<a href=\"  /a b \n\t\">x</a>") == Strings{"  /a b \n\t"});
  CHECK(hrefs("<a href=\"/x&#10;y\">x</a>") == Strings{"/x\ny"});
}

TEST_CASE("extract_page: links inside tables, forms, lists, and misnested markup") {
  CHECK(hrefs("<table><tr><td><a href=cell></a></td></tr></table>") == Strings{"cell"});
  // Foster parenting moves a stray <a> before its table: tree order, not source order.
  CHECK(hrefs("<table><tr><td><a href=cell></a></td></tr><a href=stray></a></table>") ==
        Strings{"stray", "cell"});
  CHECK(hrefs("<form action=/p><input name=q><a href=in-form></a></form>") == Strings{"in-form"});
  CHECK(hrefs("<ul><li><a href=1>a<li><a href=2>b</ul>") == Strings{"1", "2"});
  // Nested <a> is closed by the next one (adoption agency); both stay links.
  CHECK(hrefs("<a href=outer>o<a href=inner>i</a></a>") == Strings{"outer", "inner"});
}

TEST_CASE("extract_page: noscript content is markup (gumbo parses with scripting disabled)") {
  // With scripting enabled a browser would see text here; gumbo 0.10.1 implements the
  // scripting-disabled rules, which is what a crawler that runs no script sees.
  CHECK(hrefs("<body><noscript><a href=ns>x</a></noscript>") == Strings{"ns"});
  // In <head>, an <a> inside noscript closes noscript and head, and lands in body.
  CHECK(hrefs("<head><noscript><a href=hns></noscript></head>") == Strings{"hns"});
  auto in_head = extract_page("<head><noscript><meta name=robots content=noindex></noscript>");
  CHECK(in_head.meta_noindex);
}

TEST_CASE("extract_page: SVG and MathML a elements are not links") {
  CHECK(hrefs("<svg><a href=s1><rect/></a><a xlink:href=s2></a></svg>").empty());
  CHECK(hrefs("<math><a href=m1>x</a></math>").empty());
  CHECK(hrefs("<a href=before></a><svg><a href=svg></a></svg><a href=after></a>") ==
        Strings{"before", "after"});
  // foreignObject content is in the HTML namespace again.
  CHECK(hrefs("<svg><foreignObject><a href=fo>x</a></foreignObject></svg>") == Strings{"fo"});
  // An HTML breakout tag ends the SVG subtree.
  CHECK(hrefs("<svg><a href=s></a><p><a href=html></a></svg>") == Strings{"html"});
}

TEST_CASE("extract_page: template contents are not part of the document") {
  CHECK(hrefs("<template><a href=t>x</a><area href=ta></template>").empty());
  CHECK(hrefs("<a href=1></a><template><a href=t></a></template><a href=2></a>") ==
        Strings{"1", "2"});
  CHECK(hrefs("<template><template><a href=tt></a></template></template>").empty());
  const auto page = extract_page(
      "<template><base href=/tb/><meta name=robots content=none><title>T</title></template>");
  CHECK_FALSE(page.base_href);
  CHECK_FALSE(page.meta_noindex);
  CHECK_FALSE(page.meta_nofollow);
  CHECK_FALSE(page.title);
}

TEST_CASE("extract_page: duplicates are kept, in order") {
  CHECK(hrefs("<a href=a></a><a href=b></a><a href=a></a><area href=a>") ==
        Strings{"a", "b", "a", "a"});
}

TEST_CASE("extract_page: rel=nofollow per link") {
  const auto page = extract_page(
      "<a href=1 rel=nofollow></a>"
      "<a href=2 rel=\"NoFollow noopener\"></a>"
      "<a href=3 rel=\"noopener\tNOFOLLOW\n\"></a>"
      "<a href=4 rel=nofollowx></a>"
      "<a href=5 rel=\"no follow\"></a>"
      "<a href=6 rel=\"noopener,nofollow\"></a>"
      "<a href=7></a>"
      "<area href=8 rel=\"external nofollow\">");
  REQUIRE(page.links.size() == 8);
  const bool expected[] = {true, true, true, false, false, false, false, true};
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(page.links[i].nofollow == expected[i]);
  }
}

TEST_CASE("extract_page: of duplicated attributes the first one counts") {
  const auto page =
      extract_page("<a href=1 href=2 rel=nofollow rel=x></a><a rel=x rel=nofollow href=3>");
  REQUIRE(page.links.size() == 2);
  CHECK(page.links[0].href == "1");
  CHECK(page.links[0].nofollow);
  CHECK(page.links[1].href == "3");
  CHECK_FALSE(page.links[1].nofollow);
}

TEST_CASE("extract_page: hrefs are valid UTF-8") {
  const auto page = extract_page("<a href=\"/x\xFF\xC0y\">x</a><a href=\"/nul\0z\">y</a>"sv);
  REQUIRE(page.links.size() == 2);
  for (const auto& link : page.links) CHECK(is_valid_utf8(link.href));
  CHECK(page.links[0].href.find("/x") == 0);
}

// ---------------------------------------------------------------------------------------------
// <base href>

TEST_CASE("extract_page: the first base with an href wins") {
  CHECK_FALSE(extract_page("<a href=x>").base_href);
  CHECK(extract_page("<head><base href=/one/><base href=/two/></head>").base_href == "/one/");
  CHECK(extract_page("<base target=_blank><base href=/second/>").base_href == "/second/");
  CHECK_FALSE(extract_page("<base target=_blank>").base_href);
  CHECK(extract_page("<base href=''>").base_href == "");
  CHECK(extract_page("<BASE HREF=\" /a?b=1&amp;c \">").base_href == " /a?b=1&c ");
}

TEST_CASE("extract_page: a base in body still counts, in tree order") {
  CHECK(extract_page("<head></head><body><p>x</p><base href=/in-body/>").base_href == "/in-body/");
  CHECK(extract_page("<head><base href=/head/></head><body><base href=/body/>").base_href ==
        "/head/");
  // <base> is no breakout tag: inside <svg> it is an SVG element.
  CHECK_FALSE(extract_page("<svg><base href=/svg/></svg>").base_href);
}

// ---------------------------------------------------------------------------------------------
// <meta name=robots>

namespace {
struct Robots {
  bool nofollow, noindex;
  bool operator==(const Robots&) const = default;
};
Robots robots(std::string_view html) {
  const auto page = extract_page(html);
  return {page.meta_nofollow, page.meta_noindex};
}
}  // namespace

TEST_CASE("extract_page: meta robots directives") {
  CHECK(robots("<title>x</title>") == Robots{false, false});
  CHECK(robots("<meta name=robots content=nofollow>") == Robots{true, false});
  CHECK(robots("<meta name=robots content=noindex>") == Robots{false, true});
  CHECK(robots("<meta name=robots content=none>") == Robots{true, true});
  CHECK(robots("<meta name=robots content=\"noindex, nofollow\">") == Robots{true, true});
  CHECK(robots("<meta name=robots content=\"index,follow\">") == Robots{false, false});
  CHECK(robots("<meta name=robots content=all>") == Robots{false, false});
  CHECK(robots("<meta name=robots content=\" NoFollow ,\tNOARCHIVE \">") == Robots{true, false});
  CHECK(robots("<meta name=robots content=\"max-snippet:-1, NONE\">") == Robots{true, true});
}

TEST_CASE("extract_page: meta robots tokens are whole, comma-separated") {
  CHECK(robots("<meta name=robots content=nofollowx>") == Robots{false, false});
  CHECK(robots("<meta name=robots content=\"noindex nofollow\">") == Robots{false, false});
  CHECK(robots("<meta name=robots content=\"no-index\">") == Robots{false, false});
  CHECK(robots("<meta name=robots content=\",,noindex,,\">") == Robots{false, true});
  CHECK(robots("<meta name=robots content=\"\">") == Robots{false, false});
  CHECK(robots("<meta name=robots>") == Robots{false, false});
}

TEST_CASE("extract_page: meta names are matched in any case, other names are ignored") {
  CHECK(robots("<meta name=ROBOTS content=noindex>") == Robots{false, true});
  CHECK(robots("<META NAME=\"Robots\" CONTENT=\"NOFOLLOW\">") == Robots{true, false});
  CHECK(robots("<meta name=googlebot content=none>") == Robots{false, false});
  CHECK(robots("<meta name=acrawl content=none>") == Robots{false, false});
  CHECK(robots("<meta name=description content=noindex>") == Robots{false, false});
  CHECK(robots("<meta property=robots content=none>") == Robots{false, false});
  CHECK(robots("<meta http-equiv=robots content=none>") == Robots{false, false});
  CHECK(robots("<meta content=none>") == Robots{false, false});
  // The name is not trimmed (the spec compares it as is).
  CHECK(robots("<meta name=\" robots\" content=none>") == Robots{false, false});
}

TEST_CASE("extract_page: several meta robots tags add up") {
  CHECK(robots("<meta name=robots content=noindex><meta name=robots content=nofollow>") ==
        Robots{true, true});
  CHECK(robots("<meta name=robots content=index><meta name=description content=x>"
               "<body><meta name=robots content=nofollow>") == Robots{true, false});
}

// ---------------------------------------------------------------------------------------------
// Fixture pages with known link sets

TEST_CASE("extract_page: fixtures/links/navigation.html") {
  const std::string body = fixture("navigation.html");
  const auto decoded = decode_html(body, "text/html");
  const auto page = extract_page(decoded.utf8);
  CHECK(page.title == "Links & more");
  CHECK(page.base_href == "https://example.test/docs/");
  CHECK(page.meta_noindex);
  CHECK_FALSE(page.meta_nofollow);
  CHECK(hrefs(page) == Strings{"/", "guide/intro.html", "search?q=a&page=2", " spaced.html ",
                               "table-cell.html", "in-form.html", "area.html", "/",
                               "https://other.test/#frag"});
  std::vector<bool> nofollow;
  for (const auto& link : page.links) nofollow.push_back(link.nofollow);
  CHECK(nofollow ==
        std::vector<bool>{false, false, false, false, false, true, false, false, false});
}

TEST_CASE("extract_page: fixtures/links/windows-1252.html after decoding") {
  const auto decoded = decode_html(fixture("windows-1252.html"), "text/html");
  const auto page = extract_page(decoded.utf8);
  CHECK(page.title == "Café links");
  CHECK(hrefs(page) == Strings{"café.html", "menu?prix=10€"});
}

// ---------------------------------------------------------------------------------------------
// The title never disagrees with extract_title_full

TEST_CASE("extract_page: title equals extract_title_full on every fixture page") {
  int pages = 0;
  for (const char* dir : {"/pages", "/links"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(ACRAWL_FIXTURES_DIR) + dir)) {
      if (entry.path().extension() != ".html") continue;
      const std::string body = read_file(entry.path());
      for (const char* type : {"text/html", "text/html; charset=utf-8"}) {
        INFO(entry.path().filename().string(), " as ", type);
        const auto decoded = decode_html(body, type);
        CHECK(extract_page(decoded.utf8).title == extract_title_full(decoded.utf8));
      }
      ++pages;
    }
  }
  CHECK(pages >= 60);
}

TEST_CASE("extract_page: title equals extract_title_full on tricky and generated pages") {
  const std::string_view tricky[] = {
      "",
      "<title></title>",
      "<title> \t </title>",
      "<title>A &amp; B</title>",
      "<title>First</title><title>Second</title>",
      "<head></head><body><p>text<title>In body</title></p>",
      "<body><svg><title>Icon</title></svg><title>Page</title>",
      "<body><svg><title>Only SVG</title></svg></body>",
      "<body><math><title>Only MathML</title></math></body>",
      "<svg><foreignObject><title>Inner</title></foreignObject></svg>",
      "<template><title>T</title></template><title>Real</title>",
      "<table><tr><td><title>A</title></td><title>B</title></tr></table>",
      "<title>a <b>b</b></title>",
      "<title>unterminated",
      "<title>bad\xFF\xC0 bytes</title>",
      "<frameset><title>F</title></frameset>",
      "<a href=x><title>in a</title></a>",
  };
  for (const auto html : tricky) {
    CAPTURE(html);
    CHECK(extract_page(html).title == extract_title_full(html));
  }
  for (std::size_t n = 0; n < 200; ++n) {
    const std::string body = acrawl::fixtures::render_site_page(n, 1000, "http://127.0.0.1:1");
    const auto page = extract_page(body);
    CHECK(page.title == extract_title_full(body));
    CHECK(page.title == acrawl::fixtures::site_page_title(n));
    CHECK(page.links.size() >= 10);
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile input

TEST_CASE("extract_page survives deep nesting and many links") {
  // 100k links, then 20k levels of <span> (linear for gumbo; nested <div>s would be quadratic in
  // its scope checks) with a link at the bottom: the walk is iterative, so nothing recurses. The
  // many links stay shallow because gumbo 0.10.1 scans the open-element stack linearly for every
  // </a> (adoption agency), so 100k of them at depth 20k would take seconds inside gumbo.
  constexpr int kDepth = 20000;
  constexpr int kLinks = 100000;
  std::string html = "<title>Hostile</title><base href=/b/>";
  for (int i = 0; i < kLinks; ++i) {
    html += (i % 2 == 0) ? "<a href=/p" : "<area rel=nofollow href=/q";
    html += std::to_string(i);
    html += (i % 2 == 0) ? ">x</a>" : ">";
  }
  for (int i = 0; i < kDepth; ++i) html += "<span>";
  html += "<meta name=robots content=nofollow><a href=/deep>d</a>";
  const auto page = extract_page(html);
  REQUIRE(page.links.size() == static_cast<std::size_t>(kLinks) + 1);
  CHECK(page.links[0].href == "/p0");
  CHECK_FALSE(page.links[0].nofollow);
  CHECK(page.links[kLinks - 1].href == "/q" + std::to_string(kLinks - 1));
  CHECK(page.links[kLinks - 1].nofollow);
  CHECK(page.links.back().href == "/deep");
  CHECK(page.title == "Hostile");
  CHECK(page.base_href == "/b/");
  CHECK(page.meta_nofollow);

  // A link at every level, each one deeper than the last.
  std::string nested;
  for (int i = 0; i < kDepth; ++i) nested += "<span><area href=n>";
  CHECK(extract_page(nested).links.size() == static_cast<std::size_t>(kDepth));
}
