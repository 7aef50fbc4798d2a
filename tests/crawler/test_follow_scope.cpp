#include <doctest/doctest.h>

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "crawler/config.hpp"
#include "crawler/frontier/follow_scope.hpp"
#include "crawler/url/url.hpp"

using acrawl::crawler::FollowScope;
using acrawl::crawler::registrable_domain;
using acrawl::crawler::ScopeKind;
using acrawl::crawler::Url;

namespace {

Url url(const std::string& s) {
  std::optional<Url> u = Url::parse(s);
  REQUIRE_MESSAGE(u, s);
  return *u;
}

FollowScope scope(ScopeKind kind, const std::vector<std::string>& seeds,
                  const std::vector<std::string>& include = {},
                  const std::vector<std::string>& exclude = {}) {
  FollowScope s(kind, include, exclude);
  for (const auto& seed : seeds) s.add_seed(url(seed));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// registrable_domain

TEST_CASE("registrable_domain: the public suffix plus one label") {
  CHECK(registrable_domain("www.example.co.uk") == "example.co.uk");
  CHECK(registrable_domain("a.b.example.com") == "example.com");
  CHECK(registrable_domain("example.com") == "example.com");
}

TEST_CASE("registrable_domain: IP addresses and public suffixes are their own domain") {
  CHECK(registrable_domain("192.168.1.10") == "192.168.1.10");
  CHECK(registrable_domain("[2001:db8::1]") == "[2001:db8::1]");
  CHECK(registrable_domain("co.uk") == "co.uk");
}

// ---------------------------------------------------------------------------------------------
// Scope kinds

TEST_CASE("scope host: the same host name only, whatever the scheme or port") {
  FollowScope s = scope(ScopeKind::host, {"http://example.com/start"});
  CHECK(s.allows(url("http://example.com/other/page")));
  CHECK(s.allows(url("https://example.com/")));
  // Url::host() excludes the port: another port of the same host is in scope.
  CHECK(s.allows(url("http://example.com:8080/x")));
  CHECK_FALSE(s.allows(url("http://www.example.com/")));
  CHECK_FALSE(s.allows(url("http://example.org/")));
}

TEST_CASE("scope host: each seed adds its host") {
  FollowScope s = scope(ScopeKind::host, {"http://a.test/", "http://b.test/x"});
  CHECK(s.allows(url("http://a.test/1")));
  CHECK(s.allows(url("http://b.test/2")));
  CHECK_FALSE(s.allows(url("http://c.test/")));
  CHECK_FALSE(scope(ScopeKind::host, {}).allows(url("http://a.test/")));
}

TEST_CASE("scope domain: hosts of the same registrable domain") {
  FollowScope s = scope(ScopeKind::domain, {"http://www.example.co.uk/"});
  CHECK(s.allows(url("http://shop.example.co.uk/cart")));
  CHECK(s.allows(url("https://example.co.uk/")));
  CHECK_FALSE(s.allows(url("http://other.co.uk/")));
  CHECK_FALSE(s.allows(url("http://co.uk/")));
  CHECK_FALSE(s.allows(url("http://example.com/")));
}

TEST_CASE("scope domain: an IP address matches only itself") {
  FollowScope s = scope(ScopeKind::domain, {"http://192.168.1.10/"});
  CHECK(s.allows(url("http://192.168.1.10:8080/x")));
  CHECK_FALSE(s.allows(url("http://192.168.1.11/")));

  FollowScope v6 = scope(ScopeKind::domain, {"http://[::1]/"});
  CHECK(v6.allows(url("http://[::1]:8080/")));
  CHECK_FALSE(v6.allows(url("http://[::2]/")));
}

TEST_CASE("scope prefix: under the seed's directory") {
  FollowScope s = scope(ScopeKind::prefix, {"http://h/docs/guide.html?x=/a/b#top"});
  CHECK(s.allows(url("http://h/docs/x")));
  CHECK(s.allows(url("http://h/docs/sub/y.html")));
  CHECK(s.allows(url("http://h/docs/")));
  CHECK_FALSE(s.allows(url("http://h/docsx")));
  CHECK_FALSE(s.allows(url("http://h/docs")));
  CHECK_FALSE(s.allows(url("http://h/")));
  CHECK_FALSE(s.allows(url("http://h/a/b")));  // the seed's query is not part of the prefix
  CHECK_FALSE(s.allows(url("http://other/go?to=http://h/docs/x")));  // a prefix, not a substring
}

TEST_CASE("scope prefix: a seed ending in '/' is its own directory") {
  FollowScope s = scope(ScopeKind::prefix, {"http://h/docs/"});
  CHECK(s.allows(url("http://h/docs/")));
  CHECK(s.allows(url("http://h/docs/#frag")));
  CHECK(s.allows(url("http://h/docs/a/b")));
  CHECK_FALSE(s.allows(url("http://h/doc")));
}

TEST_CASE("scope prefix: scheme, host and port are part of the prefix") {
  FollowScope s = scope(ScopeKind::prefix, {"http://h:8080/docs/"});
  CHECK(s.allows(url("http://h:8080/docs/x")));
  CHECK_FALSE(s.allows(url("http://h/docs/x")));
  CHECK_FALSE(s.allows(url("https://h:8080/docs/x")));
}

TEST_CASE("scope prefix: nested and sibling seed directories, a query holding slashes") {
  FollowScope s =
      scope(ScopeKind::prefix, {"http://h/a/b/c/page.html", "http://h/x/", "http://g/a/"});
  CHECK(s.allows(url("http://h/a/b/c/d/e.html")));
  CHECK(s.allows(url("http://h/x/y?next=/z/")));
  CHECK(s.allows(url("http://g/a/")));
  CHECK_FALSE(s.allows(url("http://h/a/b/")));  // above the seed's directory
  CHECK_FALSE(s.allows(url("http://h/a/")));
  CHECK_FALSE(s.allows(url("http://h/y?to=/x/")));
  CHECK_FALSE(s.allows(url("http://g/b/a/")));
}

TEST_CASE("scope: thousands of seeds, each still in scope, others still out") {
  std::vector<std::string> hosts;
  std::vector<std::string> dirs;
  for (int i = 0; i < 5000; ++i) {
    hosts.push_back("http://h" + std::to_string(i) + ".example.com/");
    dirs.push_back("http://site.example/d" + std::to_string(i) + "/index.html");
  }
  FollowScope by_host = scope(ScopeKind::host, hosts);
  FollowScope by_domain = scope(ScopeKind::domain, {"http://a.example.com/", "http://b.test/"});
  FollowScope by_prefix = scope(ScopeKind::prefix, dirs);
  for (int i = 0; i < 5000; i += 499) {
    CHECK(by_host.allows(url("https://h" + std::to_string(i) + ".example.com/x")));
    CHECK(by_prefix.allows(url("http://site.example/d" + std::to_string(i) + "/more/page")));
  }
  CHECK_FALSE(by_host.allows(url("http://h5000.example.com/")));
  CHECK_FALSE(by_prefix.allows(url("http://site.example/d5000/page")));
  CHECK_FALSE(by_prefix.allows(url("http://site.example/")));
  CHECK(by_domain.allows(url("http://deep.www.example.com/")));
  CHECK(by_domain.allows(url("http://b.test/x")));
  CHECK_FALSE(by_domain.allows(url("http://example.org/")));
}

TEST_CASE("scope any: every URL, with or without seeds") {
  FollowScope s = scope(ScopeKind::any, {});
  CHECK(s.allows(url("http://anything.test/")));
  CHECK(s.allows(url("https://192.0.2.1:444/x?y")));
}

// ---------------------------------------------------------------------------------------------
// --include / --exclude

TEST_CASE("scope include: some pattern must match") {
  FollowScope s = scope(ScopeKind::any, {}, {"/docs/", R"(\.pdf$)"});
  CHECK(s.allows(url("http://h/docs/a")));
  CHECK(s.allows(url("http://h/file.pdf")));
  CHECK_FALSE(s.allows(url("http://h/file.pdf.html")));
  CHECK_FALSE(s.allows(url("http://h/blog/")));
}

TEST_CASE("scope exclude: no pattern may match") {
  FollowScope s = scope(ScopeKind::any, {}, {}, {"logout", R"(\?)"});
  CHECK(s.allows(url("http://h/page")));
  CHECK_FALSE(s.allows(url("http://h/logout")));
  CHECK_FALSE(s.allows(url("http://h/page?session=1")));
}

TEST_CASE("scope include and exclude combine, and apply only within the scope kind") {
  FollowScope s = scope(ScopeKind::host, {"http://h/"}, {"/docs/"}, {"draft"});
  CHECK(s.allows(url("http://h/docs/a")));
  CHECK_FALSE(s.allows(url("http://h/docs/draft-a")));  // included but excluded
  CHECK_FALSE(s.allows(url("http://h/blog/")));
  CHECK_FALSE(s.allows(url("http://other/docs/a")));  // matches, but another host
}

TEST_CASE("scope: an invalid pattern throws std::regex_error") {
  CHECK_THROWS_AS(FollowScope(ScopeKind::any, {"(unclosed"}, {}), std::regex_error);
  CHECK_THROWS_AS(FollowScope(ScopeKind::any, {}, {"[z-a]"}), std::regex_error);
  CHECK_NOTHROW(FollowScope(ScopeKind::any, {"(closed)"}, {"[a-z]"}));
}
