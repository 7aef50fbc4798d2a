#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/frontier/robots.hpp"

using namespace std::string_literals;
using namespace std::string_view_literals;
using acrawl::crawler::RobotsRules;

namespace {

RobotsRules parse(std::string_view body, std::string_view product = "acrawl") {
  return RobotsRules::parse(body, product);
}

// One "*" group holding the given lines.
RobotsRules star_group(std::string_view rule_lines) {
  return parse("user-agent: *\n"s + std::string(rule_lines));
}

// Reference matcher (exponential, for tiny inputs): '*' is any sequence, a final '$' anchors,
// otherwise the pattern need only match a prefix of the path.
bool reference_match(std::string_view pat, std::string_view path) {
  if (pat == "$") return path.empty();
  if (pat.empty()) return true;
  if (pat.front() == '*') {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (reference_match(pat.substr(1), path.substr(i))) return true;
    }
    return false;
  }
  return !path.empty() && path.front() == pat.front() &&
         reference_match(pat.substr(1), path.substr(1));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RFC 9309 examples

TEST_CASE("test_robots: the RFC 9309 section 5.1 example") {
  constexpr std::string_view body =
      "User-Agent: *\n"
      "Disallow: *.gif$\n"
      "Disallow: /example/\n"
      "Allow: /publications/\n"
      "\n"
      "User-Agent: foobot\n"
      "Disallow:/\n"
      "Allow:/example/page.html\n"
      "Allow:/example/allowed.gif\n"
      "\n"
      "User-Agent: barbot\n"
      "User-Agent: bazbot\n"
      "Disallow: /example/page.html\n"
      "\n"
      "User-Agent: quxbot\n"
      "\n"
      "EOF\n";

  const auto foobot = parse(body, "foobot");
  CHECK(foobot.allowed("/example/page.html"));
  CHECK(foobot.allowed("/example/allowed.gif"));
  CHECK_FALSE(foobot.allowed("/example/other.html"));
  CHECK_FALSE(foobot.allowed("/"));
  CHECK_FALSE(foobot.allowed("/publications/"));

  for (const auto* bot : {"barbot", "bazbot"}) {
    const auto rules = parse(body, bot);
    CHECK_FALSE(rules.allowed("/example/page.html"));
    CHECK(rules.allowed("/example/other.html"));
    CHECK(rules.allowed("/image.gif"));
  }

  const auto quxbot = parse(body, "quxbot");  // an empty group: everything allowed
  CHECK(quxbot.allowed("/example/page.html"));
  CHECK(quxbot.allowed("/image.gif"));

  const auto other = parse(body, "acrawl");  // falls back to "*"
  CHECK_FALSE(other.allowed("/image.gif"));
  CHECK(other.allowed("/image.gif?size=2"));  // '$' anchors at the end of path and query
  CHECK_FALSE(other.allowed("/example/"));
  CHECK_FALSE(other.allowed("/example/page.html"));
  CHECK(other.allowed("/publications/"));
  CHECK(other.allowed("/"));
}

TEST_CASE("test_robots: RFC 9309 2.2.3 special characters") {
  const auto rules = star_group(
      "disallow: /\n"
      "allow: /this/path/exactly$  # comment in line\n"
      "# comment on its own line\n"
      "allow: /that/*/exactly\n");
  CHECK(rules.allowed("/this/path/exactly"));
  CHECK_FALSE(rules.allowed("/this/path/exactly/not"));
  CHECK(rules.allowed("/that/x/y/exactly"));
  CHECK(rules.allowed("/that//exactly-and-more"));
  CHECK_FALSE(rules.allowed("/that/exactly"));

  // Percent-encoded '*' and '$' are literal octets, not wildcards.
  const auto literal = star_group("disallow: /a%2Ab%24\n");
  CHECK_FALSE(literal.allowed("/a%2Ab%24"));
  CHECK(literal.allowed("/axb"));
}

// ---------------------------------------------------------------------------------------------
// Google's documented path-matching examples

TEST_CASE("test_robots: Google's path matching examples") {
  auto matches = [](std::string_view pattern, std::string_view path) {
    return !star_group("disallow: "s + std::string(pattern) + "\n").allowed(path);
  };

  for (const auto* p : {"/", "/*"}) {
    CHECK(matches(p, "/"));
    CHECK(matches(p, "/any/thing.html"));
  }
  CHECK(matches("/$", "/"));
  CHECK_FALSE(matches("/$", "/index.html"));

  for (const auto* p : {"/fish", "/fish*"}) {
    for (const auto* yes : {"/fish", "/fish.html", "/fish/salmon.html", "/fishheads",
                            "/fishheads/yummy.html", "/fish.php?id=anything"}) {
      CHECK_MESSAGE(matches(p, yes), p, " should match ", yes);
    }
    for (const auto* no : {"/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"}) {
      CHECK_MESSAGE(!matches(p, no), p, " should not match ", no);
    }
  }

  for (const auto* yes : {"/fish/", "/fish/?id=anything", "/fish/salmon.htm"}) {
    CHECK(matches("/fish/", yes));
  }
  for (const auto* no : {"/fish", "/fish.html", "/animals/fish/", "/Fish/Salmon.asp"}) {
    CHECK_FALSE(matches("/fish/", no));
  }

  for (const auto* yes :
       {"/index.php", "/filename.php", "/folder/filename.php", "/folder/filename.php?parameters",
        "/folder/any.php.file.html", "/filename.php/"}) {
    CHECK(matches("/*.php", yes));
  }
  CHECK_FALSE(matches("/*.php", "/"));
  CHECK_FALSE(matches("/*.php", "/windows.PHP"));

  CHECK(matches("/*.php$", "/filename.php"));
  CHECK(matches("/*.php$", "/folder/filename.php"));
  for (const auto* no :
       {"/filename.php?parameters", "/filename.php/", "/filename.php5", "/windows.PHP"}) {
    CHECK_FALSE(matches("/*.php$", no));
  }

  CHECK(matches("/fish*.php", "/fish.php"));
  CHECK(matches("/fish*.php", "/fishheads/catfish.php?parameters"));
  CHECK_FALSE(matches("/fish*.php", "/Fish.PHP"));
}

TEST_CASE("test_robots: Google's precedence examples (longest match, allow on a tie)") {
  CHECK(star_group("allow: /p\ndisallow: /\n").allowed("/page"));
  CHECK(star_group("allow: /folder\ndisallow: /folder\n").allowed("/folder/page"));
  CHECK(star_group("disallow: /folder\nallow: /folder\n").allowed("/folder/page"));
  CHECK_FALSE(star_group("allow: /page\ndisallow: /*.htm\n").allowed("/page.htm"));
  const auto root_only = star_group("allow: /$\ndisallow: /\n");
  CHECK(root_only.allowed("/"));
  CHECK_FALSE(root_only.allowed("/page.htm"));
  // Order in the file does not matter, only specificity.
  CHECK_FALSE(star_group("allow: /a\ndisallow: /a/b\n").allowed("/a/b/c"));
  CHECK_FALSE(star_group("disallow: /a/b\nallow: /a\n").allowed("/a/b/c"));
  CHECK(star_group("disallow: /a\nallow: /a/b\n").allowed("/a/b/c"));
}

// ---------------------------------------------------------------------------------------------
// Groups

TEST_CASE("test_robots: our groups beat '*' and are merged") {
  constexpr std::string_view body =
      "user-agent: *\n"
      "disallow: /\n"
      "\n"
      "user-agent: acrawl\n"
      "disallow: /a\n"
      "\n"
      "user-agent: other\n"
      "disallow: /b\n"
      "\n"
      "user-agent: acrawl\n"
      "disallow: /c\n";
  const auto rules = parse(body);
  CHECK_FALSE(rules.allowed("/a"));
  CHECK(rules.allowed("/b"));
  CHECK_FALSE(rules.allowed("/c"));
  CHECK(rules.allowed("/d"));  // '*' does not apply once a group names us

  const auto other = parse(body, "other");
  CHECK(other.allowed("/a"));
  CHECK_FALSE(other.allowed("/b"));
  CHECK(other.allowed("/c"));
}

TEST_CASE("test_robots: '*' groups are merged when none names us; none at all allows all") {
  const auto rules = parse(
      "user-agent: *\ndisallow: /x\n"
      "user-agent: googlebot\ndisallow: /y\n"
      "user-agent: *\ndisallow: /z\n");
  CHECK_FALSE(rules.allowed("/x"));
  CHECK(rules.allowed("/y"));
  CHECK_FALSE(rules.allowed("/z"));

  const auto none = parse("user-agent: googlebot\ndisallow: /\n");
  CHECK(none.allowed("/"));
  CHECK(none.allowed("/anything"));
  CHECK(parse("").allowed("/"));
}

TEST_CASE("test_robots: a group naming us with no rules allows everything") {
  const auto rules = parse("user-agent: *\ndisallow: /\n\nuser-agent: acrawl\n");
  CHECK(rules.allowed("/private"));
  CHECK(parse("user-agent: acrawl\ndisallow:\nuser-agent: *\ndisallow: /\n").allowed("/x"));
}

TEST_CASE("test_robots: consecutive user-agent lines share one group") {
  constexpr std::string_view body =
      "user-agent: googlebot\n"
      "\n"                      // blank lines
      "unknown-field: value\n"  // and unknown fields do not end the run
      "sitemap: https://e.com/s.xml\n"
      "user-agent: acrawl\n"
      "disallow: /shared\n"
      "user-agent: bingbot\n"  // after a rule: a new group
      "disallow: /bing\n";
  const auto rules = parse(body);
  CHECK_FALSE(rules.allowed("/shared"));
  CHECK(rules.allowed("/bing"));
  CHECK_FALSE(parse(body, "googlebot").allowed("/shared"));
  CHECK(parse(body, "bingbot").allowed("/shared"));

  // A group with both names applies to us and to everyone else.
  const auto both = parse("user-agent: *\nuser-agent: acrawl\ndisallow: /p\n");
  CHECK_FALSE(both.allowed("/p"));
  CHECK_FALSE(parse("user-agent: *\nuser-agent: acrawl\ndisallow: /p\n", "x").allowed("/p"));

  // Blank lines inside a group do not end it either.
  CHECK_FALSE(parse("user-agent: acrawl\ndisallow: /a\n\n\ndisallow: /b\n").allowed("/b"));
}

TEST_CASE("test_robots: rules before any user-agent line are ignored") {
  CHECK(parse("disallow: /\nuser-agent: other\ndisallow: /x\n").allowed("/"));
  CHECK(parse("allow: /\ndisallow: /\n").allowed("/a"));
}

TEST_CASE("test_robots: product tokens compare case-insensitively, up to '/' or whitespace") {
  for (const auto* agent : {"acrawl", "ACRAWL", "aCrawl", "acrawl/1.0", "acrawl/2.3 (+https://x)",
                            "acrawl extra words", "  acrawl  "}) {
    const auto rules = parse("user-agent: "s + agent + "\ndisallow: /\n");
    CHECK_MESSAGE(!rules.allowed("/a"), agent);
  }
  for (const auto* agent : {"acrawlbot", "otheracrawl", "acraw", "", "acrawl-ng"}) {
    const auto rules = parse("user-agent: "s + agent + "\ndisallow: /\n");
    CHECK_MESSAGE(rules.allowed("/a"), agent);
  }
  // Our own name given with a version is reduced to its product token too.
  CHECK_FALSE(parse("user-agent: acrawl\ndisallow: /\n", "acrawl/0.1").allowed("/a"));
  CHECK_FALSE(parse("user-agent: AcRawl\ndisallow: /\n", "ACRAWL").allowed("/a"));
  // "* something" is still the global group.
  CHECK_FALSE(parse("user-agent: * # all\ndisallow: /\n").allowed("/a"));
}

// ---------------------------------------------------------------------------------------------
// Syntax

TEST_CASE("test_robots: field names in any case, whitespace around, typos Google accepts") {
  CHECK_FALSE(parse("USER-AGENT: acrawl\nDISALLOW: /x\n").allowed("/x"));
  CHECK_FALSE(parse("User-Agent: acrawl\nDisAllow: /x\n").allowed("/x"));
  CHECK_FALSE(parse("  user-agent  :   acrawl  \n\t disallow\t:\t/x \t\n").allowed("/x"));
  CHECK_FALSE(parse("useragent: acrawl\ndissallow: /x\n").allowed("/x"));
  CHECK(parse("user-agent: acrawl\ndisallow: /x\nALLOW: /x/y\n").allowed("/x/y"));
  CHECK_FALSE(parse("user-agent:acrawl\ndisallow:/x\n").allowed("/x"));
}

TEST_CASE("test_robots: comments, unknown fields and lines without ':' are ignored") {
  const auto rules = parse(
      "# a comment\n"
      "user-agent: acrawl # us\n"
      "disallow: /a # the rule\n"
      "disallow /b\n"            // no ':'
      "noindex: /c\n"            // unknown field
      "#disallow: /d\n"          // commented out
      "disallow: /e#fragment\n"  // '#' starts a comment even inside the value
      "just some text\n");
  CHECK_FALSE(rules.allowed("/a"));
  CHECK(rules.allowed("/b"));
  CHECK(rules.allowed("/c"));
  CHECK(rules.allowed("/d"));
  CHECK_FALSE(rules.allowed("/e"));
  CHECK_FALSE(rules.allowed("/effect"));
}

TEST_CASE("test_robots: CR, LF and CRLF line ends, and a last line without one") {
  for (const auto* eol : {"\n", "\r\n", "\r"}) {
    const std::string e = eol;
    const auto rules = parse("user-agent: acrawl" + e + "disallow: /a" + e + e +
                             "user-agent: other" + e + "disallow: /b" + e + "disallow: /c");
    CHECK_FALSE(rules.allowed("/a"));
    CHECK(rules.allowed("/b"));
    CHECK(rules.allowed("/c"));
  }
  const auto mixed = parse("user-agent: acrawl\r\ndisallow: /a\rdisallow: /b\ndisallow: /c");
  CHECK_FALSE(mixed.allowed("/a"));
  CHECK_FALSE(mixed.allowed("/b"));
  CHECK_FALSE(mixed.allowed("/c"));
  // CR CR is two line ends; the value never keeps a CR.
  CHECK_FALSE(parse("user-agent: acrawl\r\r\ndisallow: /a$\r\n").allowed("/a"));
}

TEST_CASE("test_robots: a UTF-8 BOM at the start is ignored") {
  CHECK_FALSE(parse("\xEF\xBB\xBFuser-agent: acrawl\ndisallow: /\n").allowed("/a"));
  // Only at the start: elsewhere it is part of the line (this field name is unknown).
  CHECK(parse("user-agent: acrawl\n\xEF\xBB\xBF"
              "disallow: /\n")
            .allowed("/a"));
}

TEST_CASE("test_robots: an empty disallow disallows nothing, yet ends the user-agent run") {
  CHECK(parse("user-agent: acrawl\ndisallow:\n").allowed("/"));
  CHECK(parse("user-agent: acrawl\ndisallow:   # nothing\n").allowed("/a"));
  CHECK(parse("user-agent: acrawl\nallow:\ndisallow: /a\n").allowed("/b"));
  const auto rules = parse("user-agent: acrawl\ndisallow:\nuser-agent: other\ndisallow: /\n");
  CHECK(rules.allowed("/a"));
}

TEST_CASE("test_robots: /robots.txt is always allowed") {
  CHECK(RobotsRules::disallow_all().allowed("/robots.txt"));
  CHECK(star_group("disallow: /robots.txt\n").allowed("/robots.txt"));
  CHECK(star_group("disallow: /\n").allowed("/robots.txt?x=1"));
  CHECK_FALSE(star_group("disallow: /\n").allowed("/robots.txt/x"));
  CHECK_FALSE(star_group("disallow: /\n").allowed("/a/robots.txt"));
}

TEST_CASE("test_robots: allow_all, disallow_all and the default value") {
  CHECK(RobotsRules::allow_all().allowed("/"));
  CHECK(RobotsRules::allow_all().allowed("/any/thing?q=1"));
  CHECK(RobotsRules{}.allowed("/x"));
  CHECK_FALSE(RobotsRules::disallow_all().allowed("/"));
  CHECK_FALSE(RobotsRules::disallow_all().allowed("/any/thing?q=1"));
  CHECK_FALSE(RobotsRules::disallow_all().allowed(""));
  CHECK_FALSE(RobotsRules::disallow_all().crawl_delay());
  CHECK(RobotsRules::disallow_all().sitemaps().empty());
}

// ---------------------------------------------------------------------------------------------
// Crawl-delay and sitemaps

TEST_CASE("test_robots: crawl-delay values") {
  auto delay = [](std::string_view value) {
    return parse("user-agent: acrawl\ncrawl-delay: "s + std::string(value) + "\n").crawl_delay();
  };
  CHECK(delay("10") == 10.0);
  CHECK(delay("  2.5  ") == 2.5);
  CHECK(delay(".5") == 0.5);
  CHECK(delay("0") == 0.0);
  CHECK(delay("3 # seconds") == 3.0);
  for (const auto* bad : {"", "soon", "10s", "1,5", "-1", "inf", "nan", "0x10", "1 2"}) {
    CHECK_MESSAGE(!delay(bad), bad);
  }
  CHECK_FALSE(parse("user-agent: acrawl\ndisallow: /\n").crawl_delay());
  CHECK(parse("User-Agent: acrawl\nCRAWL-DELAY: 4\n").crawl_delay() == 4.0);
}

TEST_CASE("test_robots: crawl-delay comes from the applicable groups") {
  constexpr std::string_view body =
      "user-agent: *\ncrawl-delay: 9\n"
      "user-agent: acrawl\ndisallow: /a\ncrawl-delay: oops\n"
      "user-agent: acrawl\ncrawl-delay: 2\n"
      "user-agent: acrawl\ncrawl-delay: 3\n";
  CHECK(parse(body).crawl_delay() == 2.0);  // the first parseable one of ours
  CHECK(parse(body, "other").crawl_delay() == 9.0);
  // Ours has none: the '*' delay does not apply either.
  CHECK_FALSE(
      parse("user-agent: *\ncrawl-delay: 9\nuser-agent: acrawl\ndisallow: /\n").crawl_delay());
  // A delay line ends the user-agent run like a rule does.
  const auto rules = parse("user-agent: acrawl\ncrawl-delay: 1\nuser-agent: x\ndisallow: /\n");
  CHECK(rules.allowed("/"));
  CHECK(rules.crawl_delay() == 1.0);
}

TEST_CASE("test_robots: sitemaps are collected from every group") {
  const auto rules = parse(
      "Sitemap: https://example.com/top.xml\n"
      "user-agent: other\n"
      "disallow: /\n"
      "sitemap:https://example.com/other.xml\n"
      "user-agent: acrawl\n"
      "SITEMAP:   https://example.com/ours.xml?x=1  \n"
      "sitemap:\n");
  const std::vector<std::string> want = {"https://example.com/top.xml",
                                         "https://example.com/other.xml",
                                         "https://example.com/ours.xml?x=1"};
  CHECK(rules.sitemaps() == want);
  CHECK(parse("user-agent: *\ndisallow: /\n").sitemaps().empty());
}

// ---------------------------------------------------------------------------------------------
// Size cap

TEST_CASE("test_robots: only the first 500 KiB are parsed") {
  std::string body = "user-agent: acrawl\ndisallow: /early\n";
  const std::string filler = "# " + std::string(98, 'x') + "\n";
  while (body.size() + filler.size() <= RobotsRules::kMaxBodyBytes) body += filler;
  const std::string within = "disallow: /in\n";
  body.resize(RobotsRules::kMaxBodyBytes - within.size() - 1, '#');  // a comment
  body += '\n';
  body += within;
  REQUIRE(body.size() == RobotsRules::kMaxBodyBytes);
  const std::string exact = body;
  body += "disallow: /late\n";

  const auto rules = parse(body);
  CHECK_FALSE(rules.allowed("/early"));
  CHECK_FALSE(rules.allowed("/in"));
  CHECK(rules.allowed("/late"));
  CHECK_FALSE(parse(exact).allowed("/in"));

  // A line cut by the limit is dropped, not read as a shorter (broader) rule.
  std::string cut = exact.substr(0, exact.size() - within.size());
  cut += "disallow:  /a$";  // ends exactly at the limit
  cut += "bc\n";
  REQUIRE(cut.size() > RobotsRules::kMaxBodyBytes);
  const auto cut_rules = parse(cut);
  CHECK(cut_rules.allowed("/a"));
  CHECK_FALSE(cut_rules.allowed("/early"));
  // When the limit falls right before a line end, the last line is whole and kept.
  const auto whole = parse(exact.substr(0, exact.size() - 1) + "$\ndisallow: /late\n");
  CHECK_FALSE(whole.allowed("/in"));
  CHECK(whole.allowed("/inx"));
  CHECK(whole.allowed("/late"));
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding

TEST_CASE("test_robots: percent-encoding is normalized on both sides") {
  // Encoded unreserved characters are decoded; hex digits compare in any case.
  for (const auto* pattern : {"/~joe", "/%7Ejoe", "/%7ejoe"}) {
    const auto rules = star_group("disallow: "s + pattern + "\n");
    CHECK_MESSAGE(!rules.allowed("/~joe/index.html"), pattern);
    CHECK_MESSAGE(!rules.allowed("/%7Ejoe/index.html"), pattern);
    CHECK_MESSAGE(!rules.allowed("/%7ejoe"), pattern);
    CHECK(rules.allowed("/joe"));
  }
  // RFC 9309 2.2.2's table.
  CHECK_FALSE(star_group("disallow: /foo/bar/%62%61%7A\n").allowed("/foo/bar/baz"));
  CHECK_FALSE(star_group("disallow: /foo/bar/baz\n").allowed("/foo/bar/%62%61%7A"));
  CHECK_FALSE(star_group("disallow: /foo/bar/\xE3\x83\x84\n").allowed("/foo/bar/%E3%83%84"));
  CHECK_FALSE(star_group("disallow: /foo/bar/%E3%83%84\n").allowed("/foo/bar/%e3%83%84"));
  CHECK_FALSE(star_group("disallow: /foo/bar?baz=quz\n").allowed("/foo/bar?baz=quz"));

  // Reserved characters stay distinct from their encodings.
  const auto slash = star_group("disallow: /a%2fb\n");
  CHECK_FALSE(slash.allowed("/a%2Fb"));
  CHECK(slash.allowed("/a/b"));
  CHECK(star_group("disallow: /a/b\n").allowed("/a%2Fb"));

  // Non-ASCII patterns are matched as their UTF-8 percent-encoding.
  const auto fuerst = star_group("disallow: /f\xC3\xBCrst\n");  // /fürst
  CHECK_FALSE(fuerst.allowed("/f%C3%BCrst"));
  CHECK_FALSE(fuerst.allowed("/f%c3%bcrst/x"));
  CHECK_FALSE(fuerst.allowed("/f\xC3\xBCrst"));  // a raw path is encoded too
  CHECK(fuerst.allowed("/furst"));
  CHECK_FALSE(star_group("disallow: /f%C3%BCrst$\n").allowed("/f\xC3\xBCrst"));

  // Octets that cannot appear raw in a URI, and stray '%', compare as their encodings.
  CHECK_FALSE(star_group("disallow: /a b\n").allowed("/a%20b"));
  CHECK_FALSE(star_group("disallow: /100%\n").allowed("/100%25"));
  CHECK_FALSE(star_group("disallow: /100%25\n").allowed("/100%"));
  CHECK(star_group("disallow: /%zz\n").allowed("/zz"));
}

TEST_CASE("test_robots: specificity counts the octets of the normalized pattern") {
  // "/%7Ejoe" and "/~joe" are one rule: the tie goes to allow whichever spelling is used.
  CHECK(star_group("disallow: /%7Ejoe\nallow: /~joe\n").allowed("/~joe"));
  CHECK(star_group("disallow: /~joe\nallow: /%7Ejoe\n").allowed("/~joe"));
  // The encoded form of a non-ASCII pattern is longer than its raw octets.
  CHECK(star_group("allow: /f\xC3\xBC\ndisallow: /f%C3*\n").allowed("/f%C3%BCrst"));
}

// ---------------------------------------------------------------------------------------------
// Wildcards and hostile input

TEST_CASE("test_robots: wildcard matching agrees with a reference matcher") {
  std::mt19937 rng(12345);
  constexpr std::string_view pattern_chars = "ab*/";
  constexpr std::string_view path_chars = "ab/";
  for (int n = 0; n < 3000; ++n) {
    std::string pattern = "/";
    for (int i = static_cast<int>(rng() % 7); i > 0; --i) pattern += pattern_chars[rng() % 4];
    if (rng() % 3 == 0) pattern += '$';
    std::string path = "/";
    for (int i = static_cast<int>(rng() % 9); i > 0; --i) path += path_chars[rng() % 3];
    const bool want = reference_match(pattern, path);
    const bool got = !star_group("disallow: " + pattern + "\n").allowed(path);
    CHECK_MESSAGE(got == want, "pattern ", pattern, " path ", path);
  }
  // '$' before the end is literal.
  CHECK_FALSE(star_group("disallow: /a$b\n").allowed("/a$b"));
  CHECK(star_group("disallow: /a$b\n").allowed("/a"));
}

// These inputs take minutes with a quadratic (or backtracking) matcher or parser; the test
// asserts results only, a regression shows up as a hang.
TEST_CASE("test_robots: hostile input stays linear") {
  SUBCASE("many wildcards against a long path") {
    std::string pattern = "/";
    for (int i = 0; i < 50'000; ++i) pattern += "*a";
    const std::string body = "user-agent: *\ndisallow: " + pattern + "b\nallow: " + pattern + "$\n";
    const auto rules = parse(body);
    const std::string path = "/" + std::string(200'000, 'a');
    CHECK(rules.allowed(path));              // the allow rule matches, the disallow cannot
    CHECK_FALSE(rules.allowed(path + "b"));  // the disallow is longer
    CHECK(rules.allowed("/" + std::string(10, 'a')));  // too few a's: neither matches
  }
  SUBCASE("segments built to defeat naive substring search") {
    const std::string seg = std::string(20'000, 'a') + "b";
    const auto rules = star_group("disallow: /*" + seg + "\n");
    CHECK(rules.allowed("/" + std::string(400'000, 'a')));
    CHECK_FALSE(rules.allowed("/" + std::string(400'000, 'a') + "b"));
  }
  SUBCASE("many rules are capped") {
    std::string body = "user-agent: *\n";
    for (int i = 0; i < 40'000; ++i) {
      const std::string n = std::to_string(100'000 + i).substr(1);  // five digits
      body += "disallow: /*q" + n + "*z\n";
    }
    REQUIRE(body.size() > RobotsRules::kMaxBodyBytes);
    const auto rules = parse(body);
    const std::string path = "/" + std::string(1'000, 'q');  // every rule scans all of it
    CHECK(rules.allowed(path));
    CHECK_FALSE(rules.allowed("/q00001z"));
    CHECK_FALSE(rules.allowed("/a/q09999/z"));
    CHECK(rules.allowed("/q10000z"));  // beyond kMaxRules
  }
  SUBCASE("a run of stars") {
    const auto rules = star_group("disallow: /" + std::string(400'000, '*') + "x$\n");
    CHECK_FALSE(rules.allowed("/" + std::string(100'000, 'y') + "x"));
    CHECK(rules.allowed("/" + std::string(100'000, 'x') + "y"));
  }
  SUBCASE("a huge line and a huge body") {
    std::string body = "user-agent: *\ndisallow: /" + std::string(2'000'000, 'z') + "\n";
    body += std::string(1'000'000, '\n') + "disallow: /\n";
    const auto rules = parse(body);
    CHECK(rules.allowed("/zz"));  // the long line was cut by the limit, and dropped
    CHECK(rules.allowed("/"));
    const std::string long_line(RobotsRules::kMaxBodyBytes * 3, '*');
    CHECK(parse("user-agent: *\ndisallow: /" + long_line).allowed("/x"));  // cut too
  }
}

TEST_CASE("test_robots: arbitrary bytes never break the parser") {
  std::mt19937 rng(777);
  constexpr std::string_view alphabet[] = {
      "user-agent", "allow", "disallow", "crawl-delay", "sitemap",      ":",    " ",
      "*",          "$",     "/",        "%",           "%4",           "%41",  "#",
      "\n",         "\r",    "\r\n",     "acrawl",      "\xEF\xBB\xBF", "\xC3", "\0"sv,
      "?",          "a"};
  for (int n = 0; n < 500; ++n) {
    std::string body;
    for (int i = static_cast<int>(rng() % 200); i > 0; --i) {
      body += alphabet[rng() % std::size(alphabet)];
    }
    const auto rules = parse(body);
    std::string path = "/";
    for (int i = static_cast<int>(rng() % 20); i > 0; --i) {
      path += alphabet[rng() % std::size(alphabet)];
    }
    (void)rules.allowed(path);
    (void)rules.allowed("");
    (void)rules.crawl_delay();
    CHECK(rules.allowed("/robots.txt"));
  }
}
