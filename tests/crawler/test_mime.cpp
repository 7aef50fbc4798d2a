// text/mime: MIME Sniffing's "parse a MIME type", Fetch's "extract a MIME type", and whether a
// response is HTML.

#include <doctest/doctest.h>

#include "crawler/text/mime.hpp"

using namespace acrawl::crawler;

TEST_CASE("parse_mime_type: essence and charset, any case, quoted or not") {
  auto m = parse_mime_type(" Text/HTML ; Charset=\"Shift_JIS\" ");
  REQUIRE(m);
  CHECK(m->type == "Text");
  CHECK(m->subtype == "HTML");
  CHECK(m->has_charset);
  CHECK(m->charset == Encoding::shift_jis);

  auto plain = parse_mime_type("text/plain");
  REQUIRE(plain);
  CHECK_FALSE(plain->has_charset);
  CHECK_FALSE(plain->charset);

  auto unknown = parse_mime_type("text/html; charset=klingon");
  REQUIRE(unknown);
  CHECK(unknown->has_charset);
  CHECK_FALSE(unknown->charset);
}

TEST_CASE("parse_mime_type: not a MIME type") {
  CHECK_FALSE(parse_mime_type(""));
  CHECK_FALSE(parse_mime_type("html"));
  CHECK_FALSE(parse_mime_type("/html"));
  CHECK_FALSE(parse_mime_type("text/"));
  CHECK_FALSE(parse_mime_type("te xt/html"));
  CHECK_FALSE(parse_mime_type("text/ht(ml"));
}

TEST_CASE("extract_mime_type: the last valid value; a charset carried over for the same essence") {
  auto last = extract_mime_type("text/plain, text/html");
  REQUIRE(last);
  CHECK(last->subtype == "html");

  auto carried = extract_mime_type("text/html;charset=gbk, text/html");
  REQUIRE(carried);
  CHECK(carried->charset == Encoding::gbk);

  auto not_carried = extract_mime_type("text/plain;charset=gbk, text/html");
  REQUIRE(not_carried);
  CHECK_FALSE(not_carried->has_charset);

  auto skips_invalid = extract_mime_type("text/html, nonsense, */*");
  REQUIRE(skips_invalid);
  CHECK(skips_invalid->subtype == "html");

  CHECK_FALSE(extract_mime_type("nonsense"));
  CHECK_FALSE(extract_mime_type(""));
}

TEST_CASE("content_type_is_html: HTML types, other types, nothing usable") {
  CHECK(content_type_is_html("text/html") == true);
  CHECK(content_type_is_html("TEXT/HTML; charset=utf-8") == true);
  CHECK(content_type_is_html("application/xhtml+xml") == true);
  CHECK(content_type_is_html("text/plain") == false);
  CHECK(content_type_is_html("application/pdf") == false);
  CHECK(content_type_is_html("text/htmlx") == false);
  CHECK(content_type_is_html("text/plain, text/html") == true);  // the last one counts
  CHECK_FALSE(content_type_is_html("").has_value());
  CHECK_FALSE(content_type_is_html("html").has_value());
}

TEST_CASE("is_html: the type decides; without a usable one the body is sniffed") {
  CHECK(is_html("text/html", ""));
  CHECK_FALSE(is_html("text/plain", "<html>"));
  CHECK(is_html("", "<!doctype html><title>x</title>"));
  CHECK(is_html("", "\xEF\xBB\xBF \t\r\n<p>"));  // byte order mark, then whitespace
  CHECK(is_html("garbage", "  <html>"));
  CHECK_FALSE(is_html("", "%PDF-1.7"));
  CHECK_FALSE(is_html("", ""));
  CHECK_FALSE(is_html("", "\x0B<p>"));  // a vertical tab is not ASCII whitespace
}
