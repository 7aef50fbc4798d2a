// Which proxy a transfer goes through: --proxy or the environment (as curl reads it), and
// no_proxy's names, domains, addresses and CIDR ranges.

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

#include "crawler/config.hpp"
#include "crawler/fetch/proxy.hpp"

using acrawl::crawler::ConfigError;
using acrawl::crawler::EnvLookup;
using acrawl::crawler::no_proxy_matches;
using acrawl::crawler::proxy_for;
using acrawl::crawler::ProxyOptions;
using acrawl::crawler::resolve_proxies;

namespace {

// A fake environment: only the variables given are set.
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::optional<std::string> kFromEnv = std::nullopt;

}  // namespace

TEST_CASE("proxy: resolve_proxies reads http_proxy in lowercase only") {
  ProxyOptions p = resolve_proxies("", kFromEnv, env_of({{"http_proxy", "http://h:1"}}));
  CHECK(p.http == "http://h:1");
  CHECK(p.https.empty());
  CHECK(p.any());

  // HTTP_PROXY may come from a CGI request header ("Proxy:"): never read.
  ProxyOptions upper = resolve_proxies("", kFromEnv, env_of({{"HTTP_PROXY", "http://evil:1"}}));
  CHECK(upper.http.empty());
  CHECK(upper.https.empty());
  CHECK(!upper.any());

  ProxyOptions none = resolve_proxies("", kFromEnv, env_of({}));
  CHECK(none.http.empty());
  CHECK(none.https.empty());
  CHECK(none.no_proxy.empty());
  CHECK(!none.any());
}

TEST_CASE("proxy: resolve_proxies reads https_proxy or HTTPS_PROXY, lowercase first") {
  CHECK(resolve_proxies("", kFromEnv, env_of({{"https_proxy", "http://s:1"}})).https ==
        "http://s:1");
  CHECK(resolve_proxies("", kFromEnv, env_of({{"HTTPS_PROXY", "http://S:2"}})).https ==
        "http://S:2");
  ProxyOptions both = resolve_proxies(
      "", kFromEnv, env_of({{"https_proxy", "http://s:1"}, {"HTTPS_PROXY", "http://S:2"}}));
  CHECK(both.https == "http://s:1");
  CHECK(both.http.empty());  // https_proxy is for https:// pages only
}

TEST_CASE("proxy: all_proxy (or ALL_PROXY) is the fallback for both schemes") {
  ProxyOptions all = resolve_proxies("", kFromEnv, env_of({{"all_proxy", "socks5h://a:1"}}));
  CHECK(all.http == "socks5h://a:1");
  CHECK(all.https == "socks5h://a:1");
  ProxyOptions upper = resolve_proxies("", kFromEnv, env_of({{"ALL_PROXY", "socks5://A:2"}}));
  CHECK(upper.http == "socks5://A:2");
  CHECK(upper.https == "socks5://A:2");

  // A scheme's own variable wins over all_proxy.
  ProxyOptions mixed = resolve_proxies(
      "", kFromEnv, env_of({{"all_proxy", "http://a:1"}, {"http_proxy", "http://h:1"}}));
  CHECK(mixed.http == "http://h:1");
  CHECK(mixed.https == "http://a:1");

  // An empty variable counts as unset.
  ProxyOptions empty = resolve_proxies(
      "", kFromEnv, env_of({{"all_proxy", "http://a:1"}, {"http_proxy", ""}, {"https_proxy", ""}}));
  CHECK(empty.http == "http://a:1");
  CHECK(empty.https == "http://a:1");
}

TEST_CASE("proxy: --proxy overrides the environment for both schemes") {
  ProxyOptions p = resolve_proxies("http://cli:3", kFromEnv,
                                   env_of({{"http_proxy", "http://h:1"},
                                           {"https_proxy", "http://s:1"},
                                           {"all_proxy", "http://a:1"},
                                           {"no_proxy", "example.com"}}));
  CHECK(p.http == "http://cli:3");
  CHECK(p.https == "http://cli:3");
  CHECK(p.no_proxy == "example.com");  // --noproxy not given: still from the environment
}

TEST_CASE("proxy: no_proxy or NO_PROXY; --noproxy overrides both") {
  CHECK(resolve_proxies("", kFromEnv, env_of({{"no_proxy", "a.com"}})).no_proxy == "a.com");
  CHECK(resolve_proxies("", kFromEnv, env_of({{"NO_PROXY", "b.com"}})).no_proxy == "b.com");
  CHECK(resolve_proxies("", kFromEnv, env_of({{"no_proxy", "a.com"}, {"NO_PROXY", "b.com"}}))
            .no_proxy == "a.com");
  CHECK(resolve_proxies("", std::string("c.com"), env_of({{"no_proxy", "a.com"}})).no_proxy ==
        "c.com");
  // --noproxy '' means: no exemptions, whatever the environment says.
  CHECK(resolve_proxies("", std::string(""), env_of({{"no_proxy", "a.com"}})).no_proxy.empty());
}

TEST_CASE("proxy: a proxy URL with a scheme curl cannot use is a ConfigError") {
  CHECK_THROWS_AS(resolve_proxies("ftp://x:1", kFromEnv, env_of({})), ConfigError);
  CHECK_THROWS_AS(resolve_proxies("gopher://x", kFromEnv, env_of({})), ConfigError);
  CHECK_THROWS_AS(resolve_proxies("", kFromEnv, env_of({{"http_proxy", "ftp://x:1"}})),
                  ConfigError);
  CHECK_THROWS_AS(resolve_proxies("", kFromEnv, env_of({{"https_proxy", "ftp://x:1"}})),
                  ConfigError);
  CHECK_THROWS_AS(resolve_proxies("", kFromEnv, env_of({{"all_proxy", "imap://x:1"}})),
                  ConfigError);
  try {
    resolve_proxies("ftp://x", kFromEnv, env_of({}));
    FAIL("no exception");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("ftp") != std::string::npos);
  }

  for (const char* ok : {"http://x:1", "socks4://x:1", "socks4a://x:1", "socks5://x:1",
                         "socks5h://x:1", "x:1", "HTTP://x:1", "SOCKS5H://x:1"}) {
    INFO("proxy " << std::string(ok));
    CHECK_NOTHROW(resolve_proxies(ok, kFromEnv, env_of({})));
  }
}

TEST_CASE("proxy: no_proxy_matches: '*' exempts every host") {
  CHECK(no_proxy_matches("*", "example.com"));
  CHECK(no_proxy_matches("*", "127.0.0.1"));
  CHECK(no_proxy_matches("*", "[::1]"));
  CHECK(!no_proxy_matches("a.com, *", "example.com"));  // as curl: "*" works alone only
  CHECK(!no_proxy_matches("", "example.com"));
  CHECK(!no_proxy_matches(",, ", "example.com"));
}

TEST_CASE("proxy: no_proxy_matches: a name matches itself and its subdomains") {
  CHECK(no_proxy_matches("example.com", "example.com"));
  CHECK(no_proxy_matches("example.com", "www.example.com"));
  CHECK(no_proxy_matches("example.com", "a.b.example.com"));
  CHECK(no_proxy_matches("EXAMPLE.com", "Www.Example.COM"));
  CHECK(no_proxy_matches("example.com", "example.com."));  // the root's dot
  CHECK(!no_proxy_matches("example.com", "xexample.com"));
  CHECK(!no_proxy_matches("example.com", "example.com.evil.org"));
  CHECK(!no_proxy_matches("example.com", "com"));
  CHECK(!no_proxy_matches("www.example.com", "example.com"));

  // A leading dot is ignored: the domain itself matches too.
  CHECK(no_proxy_matches(".example.com", "example.com"));
  CHECK(no_proxy_matches(".example.com", "www.example.com"));
  CHECK(!no_proxy_matches(".example.com", "xexample.com"));

  // Lists split on ',' and ' '.
  CHECK(no_proxy_matches("a.org,example.com", "www.example.com"));
  CHECK(no_proxy_matches("a.org example.com", "www.example.com"));
  CHECK(no_proxy_matches("a.org, example.com", "example.com"));
  CHECK(!no_proxy_matches("a.org, b.org", "example.com"));
  CHECK(no_proxy_matches("localhost", "localhost"));
}

TEST_CASE("proxy: no_proxy_matches: IPv4 addresses and CIDR ranges") {
  CHECK(no_proxy_matches("127.0.0.9", "127.0.0.9"));
  CHECK(!no_proxy_matches("127.0.0.9", "127.0.0.1"));
  CHECK(!no_proxy_matches("127.0.0.1", "127.0.0.10"));  // not a suffix match on addresses
  CHECK(!no_proxy_matches("0.0.1", "127.0.0.1"));
  CHECK(no_proxy_matches("127.0.0.0/8", "127.0.0.9"));
  CHECK(no_proxy_matches("127.0.0.0/8", "127.255.1.2"));
  CHECK(!no_proxy_matches("127.0.0.0/8", "128.0.0.1"));
  CHECK(no_proxy_matches("10.1.2.0/23", "10.1.3.255"));
  CHECK(!no_proxy_matches("10.1.2.0/23", "10.1.4.0"));
  CHECK(no_proxy_matches("192.168.1.1/32", "192.168.1.1"));
  CHECK(!no_proxy_matches("192.168.1.1/32", "192.168.1.2"));
  CHECK(no_proxy_matches("0.0.0.0/0", "8.8.8.8"));
  // Malformed ranges match nothing.
  CHECK(!no_proxy_matches("127.0.0.0/33", "127.0.0.1"));
  CHECK(!no_proxy_matches("127.0.0.0/", "127.0.0.1"));
  CHECK(!no_proxy_matches("127.0.0.0/x", "127.0.0.1"));
  // A range is not a name: it does not match host names.
  CHECK(!no_proxy_matches("127.0.0.0/8", "localhost"));
  // An IPv4 range does not match an IPv6 host.
  CHECK(!no_proxy_matches("127.0.0.0/8", "[::1]"));
}

TEST_CASE("proxy: no_proxy_matches: IPv6 hosts in brackets") {
  CHECK(no_proxy_matches("::1", "[::1]"));
  CHECK(no_proxy_matches("[::1]", "[::1]"));
  CHECK(no_proxy_matches("0:0:0:0:0:0:0:1", "[::1]"));  // the same address, spelled out
  CHECK(!no_proxy_matches("::2", "[::1]"));
  CHECK(no_proxy_matches("fd00::/8", "[fd12:3456::1]"));
  CHECK(!no_proxy_matches("fd00::/8", "[fe80::1]"));
  CHECK(no_proxy_matches("2001:db8::/32", "[2001:db8:ffff::1]"));
  CHECK(!no_proxy_matches("2001:db8::/32", "[2001:db9::1]"));
  CHECK(!no_proxy_matches("::1", "127.0.0.1"));
}

TEST_CASE("proxy: proxy_for picks the scheme's proxy unless no_proxy exempts the host") {
  ProxyOptions p{"http://h:1", "http://s:2", "example.com,10.0.0.0/8"};
  CHECK(proxy_for(p, false, "a.org") == "http://h:1");
  CHECK(proxy_for(p, true, "a.org") == "http://s:2");
  CHECK(proxy_for(p, false, "www.example.com").empty());
  CHECK(proxy_for(p, true, "example.com").empty());
  CHECK(proxy_for(p, false, "10.9.8.7").empty());
  CHECK(proxy_for(p, false, "xexample.com") == "http://h:1");
  CHECK(proxy_for(p, false, "11.0.0.1") == "http://h:1");

  ProxyOptions only_http{"http://h:1", "", ""};
  CHECK(proxy_for(only_http, false, "a.org") == "http://h:1");
  CHECK(proxy_for(only_http, true, "a.org").empty());

  ProxyOptions all_exempt{"http://h:1", "http://s:2", "*"};
  CHECK(proxy_for(all_exempt, false, "a.org").empty());
  CHECK(proxy_for(all_exempt, true, "[::1]").empty());

  ProxyOptions none;
  CHECK(proxy_for(none, false, "a.org").empty());
  CHECK(proxy_for(none, true, "a.org").empty());
}
