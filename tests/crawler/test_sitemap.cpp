#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/sitemap/sitemap.hpp"

using namespace std::string_literals;
using namespace std::string_view_literals;
using acrawl::crawler::parse_sitemap;
using acrawl::crawler::Sitemap;
using acrawl::crawler::SitemapLimits;
using Kind = Sitemap::Kind;
using Urls = std::vector<std::string>;

namespace {

constexpr std::string_view kNs = "http://www.sitemaps.org/schemas/sitemap/0.9";

std::string urlset(const Urls& locs) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                    "\n<urlset xmlns=\"" +
                    std::string(kNs) + "\">\n";
  for (const std::string& loc : locs) out += "  <url><loc>" + loc + "</loc></url>\n";
  return out + "</urlset>\n";
}

// `count` URLs https://example.com/page/<i>.
Urls numbered(std::size_t count) {
  Urls out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back("https://example.com/page/" + std::to_string(i));
  return out;
}

// A gzip member holding `data`, as gzip(1) or a .xml.gz generator makes it.
std::string gzip(std::string_view data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// `mib` MiB of zeros, gzipped by compressing one MiB at a time (never holding them all).
// Z_RLE: the same 1:1000 ratio as the default strategy in half the time.
std::string gzip_bomb(std::size_t mib) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_RLE) == Z_OK);
  const std::string zeros(1024 * 1024, '\0');
  std::string out;
  char buf[64 * 1024];
  for (std::size_t i = 0; i < mib; ++i) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    zs.avail_in = static_cast<uInt>(zeros.size());
    const int flush = i + 1 == mib ? Z_FINISH : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      rc = deflate(&zs, flush);
      out.append(buf, sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  deflateEnd(&zs);
  return out;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

bool contains(const Urls& urls, std::string_view needle) {
  for (const std::string& u : urls) {
    if (u.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The formats

TEST_CASE("test_sitemap: a urlset's page locs, not those of images, videos or alternates") {
  const std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <!-- generated -->
  <url>
    <loc>https://example.com/</loc>
    <lastmod>2024-01-01</lastmod>
    <changefreq>daily</changefreq>
    <priority>1.0</priority>
    <xhtml:link rel="alternate" hreflang="de" href="https://example.com/de/"/>
    <image:image>
      <image:loc>https://example.com/logo.png</image:loc>
    </image:image>
  </url>
  <url>
    <loc>https://example.com/video</loc>
    <video:video>
      <video:content_loc>https://example.com/v.mp4</video:content_loc>
      <video:player_loc>https://example.com/player</video:player_loc>
      <video:loc>https://example.com/nested-video-loc</video:loc>
    </video:video>
    <image:loc>https://example.com/misplaced-image-loc.png</image:loc>
  </url>
  <loc>https://example.com/loc-outside-url</loc>
  <url><lastmod>2024-01-02</lastmod></url>
  <url><loc>https://example.com/last</loc></url>
</urlset>
)";
  const Sitemap s = parse_sitemap(body);
  CHECK(s.kind == Kind::urlset);
  CHECK(s.pages ==
        Urls{"https://example.com/", "https://example.com/video", "https://example.com/last"});
  CHECK(s.sitemaps.empty());
  CHECK_FALSE(s.too_many_urls);
  CHECK_FALSE(s.too_large);
  CHECK(s.error.empty());
}

TEST_CASE("test_sitemap: a sitemap index lists child sitemaps") {
  const std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>https://example.com/sitemap1.xml.gz</loc>
    <lastmod>2004-10-01T18:23:17+00:00</lastmod>
  </sitemap>
  <sitemap><loc>https://example.com/sitemap2.xml</loc></sitemap>
  <url><loc>https://example.com/not-in-an-index</loc></url>
</sitemapindex>)";
  const Sitemap s = parse_sitemap(body);
  CHECK(s.kind == Kind::index);
  CHECK(s.sitemaps ==
        Urls{"https://example.com/sitemap1.xml.gz", "https://example.com/sitemap2.xml"});
  CHECK(s.pages.empty());
  CHECK(s.error.empty());
}

TEST_CASE("test_sitemap: a text sitemap has one http(s) URL a line") {
  const std::string body =
      "https://example.com/a\r\n"
      "   http://example.com/b   \n"
      "\n"
      "# a comment\n"
      "ftp://example.com/c\n"
      "example.com/no-scheme\n"
      "HTTPS://EXAMPLE.COM/D\r"
      "https://example.com/last-without-newline";
  const Sitemap s = parse_sitemap(body);
  CHECK(s.kind == Kind::text);
  CHECK(s.pages == Urls{"https://example.com/a", "http://example.com/b", "HTTPS://EXAMPLE.COM/D",
                        "https://example.com/last-without-newline"});
  CHECK(s.error.empty());

  const Sitemap junk = parse_sitemap("Not Found\n");
  CHECK(junk.kind == Kind::text);
  CHECK(junk.pages.empty());
}

TEST_CASE("test_sitemap: an RSS 2.0 feed's item links") {
  const std::string body = R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>News</title>
    <link>https://example.com/</link>
    <atom:link href="https://example.com/feed.xml" rel="self" type="application/rss+xml"/>
    <item>
      <title>One</title>
      <link>https://example.com/one</link>
      <atom:link href="https://example.com/one-atom"/>
      <guid>https://example.com/guid-one</guid>
    </item>
    <item><link><![CDATA[ https://example.com/two?a=1&b=2 ]]></link></item>
    <item><title>no link</title></item>
  </channel>
</rss>)";
  const Sitemap s = parse_sitemap(body);
  CHECK(s.kind == Kind::feed);
  CHECK(s.pages == Urls{"https://example.com/one", "https://example.com/two?a=1&b=2"});
  CHECK(s.error.empty());
}

TEST_CASE("test_sitemap: an Atom feed's entry links, rel absent or alternate") {
  const std::string body = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title>
  <link href="https://example.com/"/>
  <link rel="self" href="https://example.com/feed.atom"/>
  <entry>
    <title>One</title>
    <link href="https://example.com/one"/>
    <link rel="edit" href="https://example.com/one/edit"/>
    <link rel="enclosure" href="https://example.com/one.mp3"/>
  </entry>
  <entry>
    <link rel="alternate" type="text/html" href=" https://example.com/two "/>
    <link rel="self" href="https://example.com/two/self"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><link href="https://example.com/xhtml"/></div></content>
  </entry>
  <entry><link/><link href=""/></entry>
</feed>)";
  const Sitemap s = parse_sitemap(body);
  CHECK(s.kind == Kind::feed);
  CHECK(s.pages == Urls{"https://example.com/one", "https://example.com/two"});
  CHECK(s.error.empty());
}

TEST_CASE("test_sitemap: any namespace, or none, is accepted") {
  const Urls want{"https://example.com/a"};
  SUBCASE("none") {
    const Sitemap s = parse_sitemap("<urlset><url><loc>https://example.com/a</loc></url></urlset>");
    CHECK(s.kind == Kind::urlset);
    CHECK(s.pages == want);
  }
  SUBCASE("an old or misspelt one") {
    for (const auto* ns : {"http://www.google.com/schemas/sitemap/0.84",
                           "https://www.sitemaps.org/schemas/sitemap/0.9", "urn:nonsense"}) {
      const Sitemap s = parse_sitemap("<urlset xmlns=\""s + ns +
                                      "\"><url><loc>https://example.com/a</loc></url></urlset>");
      CHECK_MESSAGE(s.pages == want, ns);
    }
  }
  SUBCASE("a prefix, on every element or on the root only") {
    const Sitemap all = parse_sitemap(
        "<sm:urlset xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        "<sm:url><sm:loc>https://example.com/a</sm:loc></sm:url></sm:urlset>");
    CHECK(all.pages == want);
    const Sitemap root = parse_sitemap(
        "<sm:sitemapindex xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        "<sitemap><loc>https://example.com/a</loc></sitemap></sm:sitemapindex>");
    CHECK(root.kind == Kind::index);
    CHECK(root.sitemaps == want);
  }
  SUBCASE("but not a third one next to it") {
    const Sitemap s = parse_sitemap(
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:o=\"urn:other\">"
        "<url><o:loc>https://example.com/other</o:loc></url>"
        "<o:url><loc>https://example.com/other-url</loc></o:url>"
        "<url><loc>https://example.com/a</loc></url></urlset>");
    CHECK(s.pages == want);
  }
}

TEST_CASE("test_sitemap: a root that is none of the formats") {
  const Sitemap s = parse_sitemap(
      "<!DOCTYPE html><html><body><a href=\"https://example.com/a\">a</a></body></html>");
  CHECK(s.kind == Kind::unknown);
  CHECK(s.pages.empty());
  CHECK(s.error == "not a sitemap: root element <html>");
}

// ---------------------------------------------------------------------------------------------
// gzip

TEST_CASE("test_sitemap: gzip bodies inflate to the same result") {
  const Urls urls = numbered(3);
  const Sitemap s = parse_sitemap(gzip(urlset(urls)));
  CHECK(s.kind == Kind::urlset);
  CHECK(s.pages == urls);
  CHECK(s.error.empty());

  const Sitemap text = parse_sitemap(gzip("https://example.com/a\nhttps://example.com/b\n"));
  CHECK(text.kind == Kind::text);
  CHECK(text.pages == Urls{"https://example.com/a", "https://example.com/b"});

  // Large enough to come out of zlib in several chunks, with locs across their seams.
  const Urls many = numbered(20'000);
  const Sitemap big = parse_sitemap(gzip(urlset(many)));
  CHECK(big.pages == many);
  CHECK(big.error.empty());
}

TEST_CASE("test_sitemap: concatenated gzip members are one body") {
  const std::string doc = urlset(numbered(4));
  const std::size_t half = doc.size() / 2;
  const std::string body = gzip(doc.substr(0, half)) + gzip(doc.substr(half));
  const Sitemap s = parse_sitemap(body);
  CHECK(s.pages == numbered(4));
  CHECK(s.error.empty());
  // Trailing bytes that are not another member are ignored, as gzip(1) does.
  const Sitemap padded = parse_sitemap(gzip(doc) + "\0\0\0\0"s);
  CHECK(padded.pages == numbered(4));
  CHECK(padded.error.empty());
}

TEST_CASE("test_sitemap: truncated or corrupt gzip keeps what came before") {
  const Urls many = numbered(20'000);
  const std::string gz = gzip(urlset(many));
  const Sitemap cut = parse_sitemap(std::string_view(gz).substr(0, gz.size() / 2));
  CHECK(cut.kind == Kind::urlset);
  CHECK(cut.error == "gzip: truncated");
  REQUIRE_FALSE(cut.pages.empty());
  CHECK(cut.pages.size() < many.size());
  CHECK(std::equal(cut.pages.begin(), cut.pages.end(), many.begin()));

  // Damage zlib sees at once (an invalid block type): nothing inflates.
  std::string bad_block = gz;
  bad_block[10] = '\x07';  // the first block: final, type 3 (reserved)
  const Sitemap corrupt = parse_sitemap(bad_block);
  CHECK(corrupt.error == "gzip: invalid block type");
  CHECK(corrupt.pages.empty());

  // Damage seen only by the checksum at the end: everything was read, and the error says so.
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 8] = static_cast<char>(bad_crc[bad_crc.size() - 8] ^ 0x55);
  const Sitemap crc = parse_sitemap(bad_crc);
  CHECK(crc.error == "gzip: incorrect data check");
  CHECK(crc.pages == many);

  const Sitemap header_only = parse_sitemap("\x1f\x8b"sv);
  CHECK(header_only.error == "gzip: truncated");
  CHECK(header_only.pages.empty());
}

TEST_CASE("test_sitemap: a gzip bomb is read up to max_bytes only") {
  const std::string bomb = gzip_bomb(64);
  const Sitemap s = parse_sitemap(bomb, {.max_urls = 10, .max_bytes = 1024 * 1024});
  CHECK(s.too_large);
  CHECK(s.pages.empty());
  CHECK(s.error.empty());

  // The same with URLs: those complete before the cut are kept.
  const std::string doc = urlset(numbered(1000));
  const std::size_t cut = doc.size() / 2;
  std::size_t complete = 0;
  for (std::size_t at = doc.find("</loc>"); at + 6 <= cut; at = doc.find("</loc>", at + 1)) {
    ++complete;
  }
  const Sitemap urls = parse_sitemap(gzip(doc), {.max_urls = 50'000, .max_bytes = cut});
  CHECK(urls.too_large);
  CHECK(urls.error.empty());
  CHECK(urls.pages == numbered(complete));
}

TEST_CASE("test_sitemap: a 1 GiB gzip bomb at the default limits, in bounded memory") {
  const std::string bomb = gzip_bomb(1024);
  CHECK(bomb.size() < 2 * 1024 * 1024);
  const long rss_before = peak_rss_kib();
  const auto start = std::chrono::steady_clock::now();
  const Sitemap s = parse_sitemap(bomb);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(s.too_large);
  CHECK(s.pages.empty());
  // Only 50 MiB of the 1 GiB inflate, in 64 KiB chunks: no buffer grows with it. (Peak RSS can
  // only show growth past the earlier peak; the 1 GiB would.)
  CHECK(peak_rss_kib() - rss_before < 16 * 1024);
  MESSAGE("1 GiB gzip bomb stopped after ",
          std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), " ms");
}

// ---------------------------------------------------------------------------------------------
// Limits

TEST_CASE("test_sitemap: max_urls keeps exactly that many") {
  const SitemapLimits limits{.max_urls = 3};
  const Sitemap xml = parse_sitemap(urlset(numbered(10)), limits);
  CHECK(xml.pages == numbered(3));
  CHECK(xml.too_many_urls);
  CHECK(xml.error.empty());

  const Sitemap exact = parse_sitemap(urlset(numbered(3)), limits);
  CHECK(exact.pages == numbered(3));
  CHECK_FALSE(exact.too_many_urls);

  std::string lines;
  for (const std::string& u : numbered(10)) lines += u + "\n";
  const Sitemap text = parse_sitemap(lines, limits);
  CHECK(text.pages == numbered(3));
  CHECK(text.too_many_urls);

  std::string index = "<sitemapindex>";
  for (const std::string& u : numbered(5)) index += "<sitemap><loc>" + u + "</loc></sitemap>";
  const Sitemap idx = parse_sitemap(index + "</sitemapindex>", limits);
  CHECK(idx.sitemaps == numbered(3));
  CHECK(idx.too_many_urls);

  const Sitemap defaults = parse_sitemap(urlset(numbered(50'001)));
  CHECK(defaults.pages.size() == 50'000);
  CHECK(defaults.too_many_urls);
}

TEST_CASE("test_sitemap: a plain body over max_bytes keeps the URLs before the cut") {
  const std::string doc = urlset(numbered(10));
  // The cut falls inside the sixth <loc>: five complete URLs, no half of the sixth.
  const std::size_t cut = doc.find("/page/5<") + 3;
  const Sitemap s = parse_sitemap(doc, {.max_urls = 100, .max_bytes = cut});
  CHECK(s.too_large);
  CHECK(s.error.empty());
  CHECK(s.pages == numbered(5));

  const Sitemap whole = parse_sitemap(doc, {.max_urls = 100, .max_bytes = doc.size()});
  CHECK_FALSE(whole.too_large);
  CHECK(whole.pages == numbered(10));

  // A text line cut by the limit is dropped: the cut URL would name another page.
  const std::string lines = "https://example.com/a\nhttps://example.com/bbbb\n";
  const Sitemap text = parse_sitemap(lines, {.max_urls = 100, .max_bytes = lines.size() - 3});
  CHECK(text.too_large);
  CHECK(text.pages == Urls{"https://example.com/a"});
}

// ---------------------------------------------------------------------------------------------
// Hostile XML

TEST_CASE("test_sitemap: billion laughs is refused at its first declaration") {
  std::string body = "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [\n <!ENTITY lol0 \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    body += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) body += "&lol" + std::to_string(i - 1) + ";";
    body += "\">\n";
  }
  body += "]>\n<urlset><url><loc>https://example.com/&lol9;</loc></url></urlset>";
  const long rss_before = peak_rss_kib();
  const auto start = std::chrono::steady_clock::now();
  const Sitemap s = parse_sitemap(body);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(s.error == "sitemap declares entities: refused");
  CHECK(s.pages.empty());
  CHECK(s.kind == Kind::unknown);
  CHECK(peak_rss_kib() - rss_before < 1024);
  CHECK(took < std::chrono::milliseconds(100));  // microseconds in fact; slack for sanitizers
}

TEST_CASE("test_sitemap: external entities (XXE) are never loaded") {
  const std::filesystem::path secret = std::filesystem::temp_directory_path() /
                                       ("acrawl_sitemap_secret_" + std::to_string(::getpid()));
  std::ofstream(secret) << "https://example.com/SECRET-CONTENTS\n";
  const std::string uri = "file://" + secret.string();

  SUBCASE("a general entity") {
    const Sitemap s =
        parse_sitemap("<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM \"" + uri +
                      "\">]><urlset><url><loc>&xxe;</loc></url></urlset>");
    CHECK(s.error == "sitemap declares entities: refused");
    CHECK(s.pages.empty());
  }
  SUBCASE("a parameter entity") {
    const Sitemap s = parse_sitemap("<!DOCTYPE urlset [<!ENTITY % pe SYSTEM \"" + uri +
                                    "\"> %pe;]><urlset><url><loc>https://example.com/a</loc></url>"
                                    "</urlset>");
    CHECK(s.error == "sitemap declares entities: refused");
    CHECK(s.pages.empty());
  }
  SUBCASE("an external DTD subset: not read, the rest parses") {
    const Sitemap s = parse_sitemap("<!DOCTYPE urlset SYSTEM \"" + uri +
                                    "\"><urlset><url><loc>https://example.com/a&x;</loc></url>"
                                    "</urlset>");
    CHECK(s.pages == Urls{"https://example.com/a"});
    CHECK_FALSE(contains(s.pages, "SECRET"));
  }
  std::filesystem::remove(secret);
}

TEST_CASE("test_sitemap: malformed XML keeps the URLs before the error") {
  const std::string body =
      "<urlset>\n"
      "<url><loc>https://example.com/a</loc></url>\n"
      "<url><loc>https://example.com/b</loc></url>\n"
      "<url><loc>https://example.com/c</lock></url>\n"
      "<url><loc>https://example.com/d</loc></url>\n"
      "</urlset>\n";
  const Sitemap s = parse_sitemap(body);
  CHECK(s.kind == Kind::urlset);
  CHECK(s.pages == Urls{"https://example.com/a", "https://example.com/b"});
  CHECK(s.error == "XML error at line 4: mismatched tag");

  const Sitemap unclosed = parse_sitemap("<urlset><url><loc>https://example.com/a</loc></url>");
  CHECK(unclosed.pages == Urls{"https://example.com/a"});
  CHECK(unclosed.error == "XML error at line 1: no element found");

  const Sitemap undefined = parse_sitemap("<urlset><url><loc>https://e.com/&nbsp;</loc></url>");
  CHECK(undefined.pages.empty());
  CHECK(undefined.error == "XML error at line 1: undefined entity");
}

TEST_CASE("test_sitemap: deep nesting and huge tokens are refused") {
  std::string deep = "<urlset>";
  for (int i = 0; i < 1000; ++i) deep += "<a>";
  const Sitemap nested = parse_sitemap(deep);
  CHECK(nested.error == "XML nested deeper than 256 elements: refused");

  // expat 2.5 would rescan a huge unfinished token for every chunk: quadratic.
  const std::string comment = "<urlset><url><loc>https://example.com/a</loc></url><!--" +
                              std::string(8 << 20, 'x') + "--></urlset>";
  const auto start = std::chrono::steady_clock::now();
  const Sitemap big = parse_sitemap(comment);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(big.error == "XML token over 1 MiB: refused");
  CHECK(big.pages == Urls{"https://example.com/a"});
  MESSAGE("8 MiB comment refused after ",
          std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), " ms");

  // A long text is no token: it comes in pieces and parses in linear time.
  const Sitemap text = parse_sitemap("<urlset><url><loc>https://example.com/a</loc><p>" +
                                     std::string(4 << 20, 'x') + "</p></url></urlset>");
  CHECK(text.error.empty());
  CHECK(text.pages == Urls{"https://example.com/a"});
}

// ---------------------------------------------------------------------------------------------
// Values

TEST_CASE("test_sitemap: loc whitespace is trimmed, CDATA and entities read") {
  const Sitemap s = parse_sitemap(
      "<urlset>"
      "<url><loc>\n    https://example.com/a  \n  </loc></url>"
      "<url><loc><![CDATA[https://example.com/b?x=1&y=2]]></loc></url>"
      "<url><loc> <![CDATA[ https://example.com/c ]]> </loc></url>"
      "<url><loc>https://example.com/d?x=1&amp;y=&lt;2&gt;&#x41;&#66;&apos;&quot;</loc></url>"
      "<url><loc>https://example.com/e<!-- split -->/f</loc></url>"
      "<url><loc>   </loc></url>"
      "<url><loc/></url>"
      "</urlset>");
  CHECK(s.pages == Urls{"https://example.com/a", "https://example.com/b?x=1&y=2",
                        "https://example.com/c", "https://example.com/d?x=1&y=<2>AB'\"",
                        "https://example.com/e/f"});
  CHECK(s.error.empty());
}

TEST_CASE("test_sitemap: a loc over 8 KiB is skipped, not cut") {
  const std::string base = "https://example.com/";
  const std::string at_limit = base + std::string(8192 - base.size(), 'a');
  const std::string over = base + std::string(8193 - base.size(), 'b');
  const std::string huge = base + std::string(1 << 20, 'c');
  // Whitespace that crosses the limit is dropped only if nothing follows it (expat hands the text
  // over line by line: "x" comes alone).
  const std::string near = base + std::string(8190 - base.size(), 'd');
  const Sitemap s = parse_sitemap(urlset({at_limit, over, "https://example.com/next", huge,
                                          "\n" + at_limit + std::string(10'000, ' ') + "\n",
                                          at_limit + std::string(100, ' ') + "x", near + "     \nx",
                                          "https://example.com/last"}));
  CHECK(s.pages ==
        Urls{at_limit, "https://example.com/next", at_limit, "https://example.com/last"});
  CHECK(s.error.empty());

  const Sitemap text = parse_sitemap(over + "\n" + at_limit + "\nhttps://example.com/x\n");
  CHECK(text.pages == Urls{at_limit, "https://example.com/x"});
}

TEST_CASE("test_sitemap: a loc across the 64 KiB chunk seams arrives whole") {
  for (std::size_t pad = 65'500; pad < 65'560; pad += 7) {
    const std::string body = "<urlset>" + std::string(pad, ' ') +
                             "<url><loc>https://example.com/across-the-seam</loc></url></urlset>";
    const Sitemap s = parse_sitemap(body);
    CHECK_MESSAGE(s.pages == Urls{"https://example.com/across-the-seam"}, pad);
    const Sitemap gz = parse_sitemap(gzip(body));
    CHECK_MESSAGE(gz.pages == Urls{"https://example.com/across-the-seam"}, pad);
  }
}

TEST_CASE("test_sitemap: a BOM and leading whitespace") {
  const std::string doc = urlset({"https://example.com/a"});
  for (const std::string& prefix : {"\xEF\xBB\xBF"s, "\xEF\xBB\xBF\n\n  "s, "\r\n\t "s}) {
    const Sitemap s = parse_sitemap(prefix + doc);
    CHECK(s.kind == Kind::urlset);
    CHECK(s.pages == Urls{"https://example.com/a"});
    CHECK(s.error.empty());
  }
  const Sitemap text = parse_sitemap("\xEF\xBB\xBFhttps://example.com/a\n");
  CHECK(text.kind == Kind::text);
  CHECK(text.pages == Urls{"https://example.com/a"});
  // Bytes that only begin like a BOM are content.
  const Sitemap half = parse_sitemap("\xEF\xBBhttps://example.com/a\n");
  CHECK(half.kind == Kind::text);
  CHECK(half.pages.empty());
}

TEST_CASE("test_sitemap: UTF-16 with a BOM is XML") {
  const std::string doc = "<urlset><url><loc>https://example.com/\xC3\xA9</loc></url></urlset>";
  std::string utf16 = "\xFF\xFE";  // little-endian; the doc is ASCII but for one U+00E9
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] == '\xC3') {
      utf16 += "\xE9\x00"s;
      ++i;
    } else {
      utf16 += doc[i];
      utf16 += '\0';
    }
  }
  const Sitemap s = parse_sitemap(utf16);
  CHECK(s.kind == Kind::urlset);
  CHECK(s.pages == Urls{"https://example.com/\xC3\xA9"});
}

TEST_CASE("test_sitemap: an empty body") {
  for (const std::string_view body : {""sv, "  \n\t "sv, "\xEF\xBB\xBF"sv}) {
    const Sitemap s = parse_sitemap(body);
    CHECK(s.kind == Kind::unknown);
    CHECK(s.pages.empty());
    CHECK(s.sitemaps.empty());
    CHECK(s.error == "sitemap is empty");
  }
  const Sitemap gz = parse_sitemap(gzip(""));
  CHECK(gz.kind == Kind::unknown);
  CHECK(gz.error == "sitemap is empty");
}
