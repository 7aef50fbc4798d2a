#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html/title.hpp"
#include "crawler/text/charset.hpp"
#include "crawler/text/utf8.hpp"

using namespace std::string_view_literals;
using acrawl::crawler::decode_html;
using acrawl::crawler::encoding_name;
using acrawl::crawler::extract_title;
using acrawl::crawler::is_valid_utf8;
using acrawl::crawler::source_name;

namespace {
constexpr std::string_view kNbsp = "\xC2\xA0";
}

TEST_CASE("extract_title: the basics") {
  CHECK(extract_title("<title>Hello</title>") == "Hello");
  CHECK(extract_title("<!DOCTYPE html><html><head><title>Hi there</title></head><body>x") ==
        "Hi there");
  CHECK(extract_title("<TITLE>Upper</TITLE>") == "Upper");
  CHECK(extract_title("<title lang=en>Attr</title >") == "Attr");
  CHECK_FALSE(extract_title("<html><head></head><body><h1>No title</h1></body></html>"));
  CHECK_FALSE(extract_title(""));
  CHECK(extract_title("<title></title>") == "");
  CHECK(extract_title("<title> \t\n\r\f </title>") == "");
}

TEST_CASE("extract_title: entities are decoded by the parser") {
  CHECK(extract_title("<title>A &amp; B &lt;C&gt; &quot;q&quot;</title>") == "A & B <C> \"q\"");
  CHECK(extract_title("<title>&#65;&#x42;&#x1F600; caf&eacute;</title>") == "AB😀 café");
  CHECK(extract_title("<title>&copy 2024 &notit;</title>") == "© 2024 ¬it;");
  CHECK(extract_title("<title>a&nbsp;b</title>") == "a" + std::string(kNbsp) + "b");
}

TEST_CASE("extract_title: ASCII whitespace is stripped and collapsed, other spaces are kept") {
  CHECK(extract_title("<title>\n  Lots \t of\r\n\n   space \f </title>") == "Lots of space");
  CHECK(extract_title("<title>a\r\nb</title>") == "a b");
  const std::string nbsp(kNbsp);
  CHECK(extract_title("<title>&nbsp;x&nbsp;&nbsp;y&nbsp;</title>") ==
        nbsp + "x" + nbsp + nbsp + "y" + nbsp);
  CHECK(extract_title("<title> \xC2\xA0 </title>") == nbsp);
  CHECK(extract_title("<title>\xE3\x80\x80wide\xE3\x80\x80</title>") ==
        "\xE3\x80\x80wide\xE3\x80\x80");  // U+3000 is not ASCII whitespace
}

TEST_CASE("extract_title: title is RCDATA, so markup inside is text") {
  CHECK(extract_title("<title>a <b>b</b></title>") == "a <b>b</b>");
  CHECK(extract_title("<title>x <!-- c --> y</title>") == "x <!-- c --> y");
  CHECK(extract_title("<title>a</titlex>b</title>") == "a</titlex>b");
  CHECK(extract_title("<title>unterminated") == "unterminated");
  // Near misses of the end tag must not end the title early (nor the fast path's prefix).
  CHECK(extract_title("<head><title>a</titles>b</title></head><body>c</body>") == "a</titles>b");
  CHECK(extract_title("<head><title>a</title foo=\">\"></head><body>c</body>") == "a");
}

TEST_CASE("extract_title: the first HTML title in tree order wins") {
  CHECK(extract_title("<title>First</title><title>Second</title>") == "First");
  CHECK(extract_title("<head></head><body><p>text<title>In body</title></p>") == "In body");
  CHECK(extract_title("<body><div><span><title>Deep</title></span></div>") == "Deep");
  CHECK(extract_title("<!-- <title>comment</title> --><title>Real</title>") == "Real");
  CHECK(extract_title("<script>document.write('</title>')</script><title>Real</title>") == "Real");
  CHECK(extract_title("<textarea><title>no</title></textarea><title>Real</title>") == "Real");
}

TEST_CASE("extract_title: SVG and MathML titles are not the document's title") {
  CHECK(extract_title("<body><svg><title>Icon</title></svg><title>Page</title>") == "Page");
  CHECK_FALSE(extract_title("<body><svg><title>Only SVG</title></svg></body>"));
  CHECK_FALSE(extract_title("<body><math><title>Only MathML</title></math></body>"));
  // HTML content inside foreignObject is in the HTML namespace again.
  CHECK(extract_title("<svg><foreignObject><title>Inner</title></foreignObject></svg>") == "Inner");
}

TEST_CASE("extract_title: template contents are not in the document") {
  CHECK_FALSE(extract_title("<template><title>T</title></template>"));
  CHECK(extract_title("<template><title>T</title></template><title>Real</title>") == "Real");
}

TEST_CASE("extract_title: later content that moves before the first title is honoured") {
  // Foster parenting puts the second title before the table that holds the first one.
  CHECK(extract_title("<table><tr><td><title>A</title></td><title>B</title></tr></table>") == "B");
}

TEST_CASE("extract_title: output is valid UTF-8") {
  const auto t = extract_title("<title>bad\xFF\xC0 bytes and nul:\0!</title>"sv);
  REQUIRE(t);
  CHECK(is_valid_utf8(*t));
  CHECK(t->find("bad") == 0);
}

TEST_CASE("extract_title survives hostile nesting without recursion") {
  // Half a million levels: any recursive walk of the tree (ours, or gumbo_destroy_output's)
  // overflows an 8 MB stack here. <span> keeps gumbo's own parse linear; nested <div>s make it
  // quadratic (scope checks), so they get a smaller depth.
  std::string spans;
  for (int i = 0; i < 500000; ++i) spans += "<span>";
  CHECK(extract_title(spans + "<title>Deep</title>") == "Deep");
  CHECK_FALSE(extract_title(spans));
  CHECK(extract_title("<title>Head</title>" + spans) == "Head");
  std::string divs;
  for (int i = 0; i < 5000; ++i) divs += "<div>";
  CHECK(extract_title(divs + "<title>Div</title>") == "Div");
}

// ---------------------------------------------------------------------------------------------
// The fixture pages: fixtures/pages/manifest.tsv is the single source of truth.

namespace {

struct Row {
  std::string file, content_type, encoding, source, title;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

std::vector<Row> read_manifest() {
  std::ifstream in(std::string(ACRAWL_FIXTURES_DIR) + "/pages/manifest.tsv", std::ios::binary);
  std::vector<Row> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    const auto f = split_tabs(line);
    REQUIRE_MESSAGE(f.size() == 5, line);
    rows.push_back({f[0], f[1], f[2], f[3], f[4]});
  }
  return rows;
}

std::string read_file(const std::string& name) {
  std::ifstream in(std::string(ACRAWL_FIXTURES_DIR) + "/pages/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("every fixture page sniffs and titles as manifest.tsv says") {
  const auto rows = read_manifest();
  REQUIRE(rows.size() >= 40);
  for (const Row& row : rows) {
    CAPTURE(row.file);
    const std::string body = read_file(row.file);
    const auto decoded = decode_html(body, row.content_type);
    CHECK(encoding_name(decoded.encoding) == row.encoding);
    CHECK(source_name(decoded.source) == row.source);
    CHECK(is_valid_utf8(decoded.utf8));
    const auto title = extract_title(decoded.utf8);
    if (row.title == "-") {
      CHECK_FALSE(title.has_value());
    } else {
      CHECK(title == row.title);
    }
  }
}
