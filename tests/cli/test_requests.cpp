// End to end: what acrawl sends — -H headers, cookies (string, file, jar), basic auth only to the
// input origins, and proxies (--proxy, the environment, no_proxy) — checked at fixture servers
// on loopback, in every mode.

#include <doctest/doctest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tsv_records.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::LoggedRequest;
using acrawl::fixtures::ServerOptions;
using acrawl::test::read_file;
using acrawl::test::records;
using acrawl::test::run_process;
using acrawl::test::split;
using acrawl::test::write_file;
using namespace std::chrono_literals;

namespace {

const char* const kModes[] = {"async", "threads", "sync"};

std::string temp_path() {
  char path[] = "/tmp/acrawl-requests-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  return path;
}

acrawl::test::ProcessResult crawl(std::vector<std::string> args) {
  // No retries: a refused connection is the answer some tests expect, at once.
  for (const char* a : {"--no-progress", "--retries", "0"}) args.push_back(a);
  return run_process(ACRAWL_BIN, args, {}, 120s);
}

// Runs acrawl with the proxy variables of this process unset, then vars set (NAME=value).
acrawl::test::ProcessResult crawl_env(const std::vector<std::string>& vars,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> full;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
    full.push_back("-u");
    full.push_back(name);
  }
  for (const std::string& v : vars) full.push_back(v);
  full.push_back(ACRAWL_BIN);
  for (const std::string& a : args) full.push_back(a);
  for (const char* a : {"--no-progress", "--retries", "0"}) full.push_back(a);
  return run_process("/usr/bin/env", full, {}, 120s);
}

std::string encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whether the raw header block holds a header line called name (case-insensitive).
bool has_header(const LoggedRequest& r, const std::string& name) {
  const std::string want = lower(name) + ":";
  for (const std::string& line : split(r.headers, '\n')) {
    if (lower(line).starts_with(want)) return true;
  }
  return false;
}

ServerOptions second_host() {
  return ServerOptions{.address = "127.0.0.2"};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// -H

TEST_CASE("requests: -H headers go to every host, the seeds' and those redirects reach") {
  FixtureServer a;
  FixtureServer b(second_host());
  const std::string to_b = b.base_url() + "/echo/header/X-Test";
  const std::string redirect = a.base_url() + "/redirect-to?url=" + encode(to_b);
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    auto res = crawl({a.base_url() + "/echo/header/X-Test", to_b, redirect,
                      a.base_url() + "/echo/header/X-Other", "-H", "X-Test: one", "-H",
                      "X-Other: two", "--mode", mode});
    CHECK(res.exit_code == 0);
    auto got = records(res.out);
    CHECK(got.size() == 4);
    CHECK(got[a.base_url() + "/echo/header/X-Test"] ==
          std::pair<std::string, std::string>("200", "one"));
    CHECK(got[to_b] == std::pair<std::string, std::string>("200", "one"));
    CHECK(got[redirect] == std::pair<std::string, std::string>("200", "one"));
    CHECK(got[a.base_url() + "/echo/header/X-Other"] ==
          std::pair<std::string, std::string>("200", "two"));

    // Recursively acrawl follows the redirect itself: the header still goes along.
    b.reset_stats();
    auto rec =
        crawl({redirect, "-H", "X-Test: one", "--depth", "1", "--scope", "any", "--mode", mode});
    CHECK(rec.exit_code == 0);
    bool reached = false;
    for (const LoggedRequest& r : b.request_log()) {
      if (r.target != "/echo/header/X-Test") continue;
      reached = true;
      CHECK(r.headers.find("X-Test: one") != std::string::npos);
    }
    CHECK(reached);
  }
}

TEST_CASE("requests: -H replaces the User-Agent and 'Accept:' drops curl's Accept") {
  FixtureServer a;
  const std::string ua = a.base_url() + "/echo/header/User-Agent";
  const std::string accept = a.base_url() + "/echo/header/Accept";
  auto plain = records(crawl({ua, accept}).out);
  CHECK(plain[ua].first == "200");
  CHECK(plain[ua].second != "(none)");
  CHECK(plain[ua].second != "custom-agent/1");
  CHECK(plain[accept].second != "(none)");  // curl sends Accept: */* by default
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    a.reset_stats();
    auto res =
        crawl({ua, accept, "-H", "User-Agent: custom-agent/1", "-H", "Accept:", "--mode", mode});
    CHECK(res.exit_code == 0);
    auto got = records(res.out);
    CHECK(got[ua] == std::pair<std::string, std::string>("200", "custom-agent/1"));  // one, not two
    CHECK(got[accept] == std::pair<std::string, std::string>("200", "(none)"));
    for (const LoggedRequest& r : a.request_log()) CHECK(!has_header(r, "Accept"));
  }
}

TEST_CASE("requests: an invalid -H line is exit 2 with a message") {
  FixtureServer a;
  for (const char* bad : {"nocolon", ": value", "Bad Name: x", "X-A; trailing"}) {
    INFO("-H " << std::string(bad));
    auto res = crawl({a.base_url() + "/", "-H", bad});
    CHECK(res.exit_code == 2);
    CHECK(res.err.find("not a header line") != std::string::npos);
    CHECK(res.out.empty());
  }
  CHECK(a.stats().requests == 0);
  // 'Name;' sends the header with an empty value.
  auto empty = crawl({a.base_url() + "/echo/header/X-Empty", "-H", "X-Empty;"});
  CHECK(empty.exit_code == 0);
  CHECK(records(empty.out)[a.base_url() + "/echo/header/X-Empty"].first == "200");
}

// ---------------------------------------------------------------------------------------------
// Cookies

TEST_CASE("requests: -b 'a=b; c=d' is sent as is to every host") {
  FixtureServer a;
  FixtureServer b(second_host());
  const std::string ea = a.base_url() + "/echo/header/Cookie";
  const std::string eb = b.base_url() + "/echo/header/Cookie";
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    auto res = crawl({ea, eb, "-b", "a=b; c=d", "--mode", mode});
    CHECK(res.exit_code == 0);
    auto got = records(res.out);
    CHECK(got[ea] == std::pair<std::string, std::string>("200", "a=b; c=d"));
    CHECK(got[eb] == std::pair<std::string, std::string>("200", "a=b; c=d"));
  }
}

TEST_CASE("requests: -b FILE loads a Netscape cookie file; its cookies go to their own host") {
  FixtureServer a;
  FixtureServer b(second_host());
  const std::string ea = a.base_url() + "/echo/header/Cookie";
  const std::string eb = b.base_url() + "/echo/header/Cookie";
  const std::string file = temp_path();
  write_file(file,
             "# Netscape HTTP Cookie File\n"
             "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tfromfile\tone\n"
             "127.0.0.1\tFALSE\t/other/\tFALSE\t4102444800\telsewhere\tno\n");
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    auto res = crawl({ea, eb, "-b", file, "--mode", mode});
    CHECK(res.exit_code == 0);
    auto got = records(res.out);
    CHECK(got[ea] == std::pair<std::string, std::string>("200", "fromfile=one"));
    CHECK(got[eb] == std::pair<std::string, std::string>("200", "(none)"));
  }
  std::remove(file.c_str());

  auto missing = crawl({ea, "-b", "/nonexistent/acrawl-cookies"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("/nonexistent/acrawl-cookies") != std::string::npos);
  CHECK(a.stats().requests == 3);  // nothing fetched for the missing file
}

TEST_CASE("requests: --cookie-jar writes the cookies sites set, per host, in Netscape format") {
  FixtureServer a;
  FixtureServer b(second_host());
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    const std::string jar = temp_path();
    auto res =
        crawl({a.base_url() + "/set-cookie/k/v", b.base_url() + "/set-cookie/m/w",
               a.base_url() + "/set-cookie/p/q?path=/site/", "--cookie-jar", jar, "--mode", mode});
    CHECK(res.exit_code == 0);
    CHECK(records(res.out).size() == 3);
    const std::string text = read_file(jar);
    INFO("jar:\n" << text);
    std::map<std::string, std::vector<std::string>> by_name;
    for (const std::string& line : split(text, '\n')) {
      if (line.empty() || (line.starts_with("#") && !line.starts_with("#HttpOnly_"))) continue;
      std::vector<std::string> f = split(line, '\t');
      REQUIRE(f.size() == 7);
      by_name[f[5]] = f;
    }
    CHECK(by_name.size() == 3);
    CHECK(by_name["k"][0].ends_with("127.0.0.1"));
    CHECK(by_name["k"][2] == "/");
    CHECK(by_name["k"][6] == "v");
    CHECK(by_name["m"][0].ends_with("127.0.0.2"));
    CHECK(by_name["m"][6] == "w");
    CHECK(by_name["p"][2] == "/site/");
    CHECK(by_name["p"][6] == "q");
    std::remove(jar.c_str());
  }
}

TEST_CASE("requests: cookies a page sets go back on later requests of the crawl, same host only") {
  FixtureServer a;
  FixtureServer b(second_host());
  const std::string set = a.base_url() + "/set-cookie/k/v";
  const std::string ea = a.base_url() + "/echo/header/Cookie";
  const std::string eb = b.base_url() + "/echo/header/Cookie";
  // One transfer at a time: the inputs are fetched in order, the cookie is set before the echo.
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    a.reset_stats();
    const std::string jar = temp_path();
    auto res = crawl({set, ea, eb, "--cookie-jar", jar, "-c", "1", "--mode", mode});
    CHECK(res.exit_code == 0);
    std::vector<LoggedRequest> log = a.request_log();
    REQUIRE(log.size() == 2);
    REQUIRE(log[0].target == "/set-cookie/k/v");  // the order the test relies on
    auto got = records(res.out);
    CHECK(got[ea] == std::pair<std::string, std::string>("200", "k=v"));
    CHECK(got[eb] == std::pair<std::string, std::string>("200", "(none)"));
    std::remove(jar.c_str());
  }
  // Without the cookie engine (no file, no jar) nothing is kept.
  auto none = crawl({set, ea, "-c", "1", "--mode", "sync"});
  CHECK(records(none.out)[ea].second == "(none)");
}

// ---------------------------------------------------------------------------------------------
// -u

TEST_CASE("requests: -u is sent to the input origins only, never across a redirect") {
  FixtureServer a;
  FixtureServer b(second_host());
  const std::string auth = a.base_url() + "/auth/basic/bob/pw";
  const std::string to_b = b.base_url() + "/echo/header/Authorization";
  const std::string redirect = a.base_url() + "/redirect-to?url=" + encode(to_b);

  auto anonymous = crawl({auth});
  CHECK(anonymous.exit_code == 1);
  CHECK(records(anonymous.out)[auth].first == "401");
  auto wrong = crawl({auth, "-u", "bob:nope"});
  CHECK(records(wrong.out)[auth].first == "401");

  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    b.reset_stats();
    auto res = crawl({auth, redirect, "-u", "bob:pw", "--mode", mode});
    CHECK(res.exit_code == 0);
    auto got = records(res.out);
    CHECK(got[auth] == std::pair<std::string, std::string>("200", "authorized bob"));
    CHECK(got[redirect] == std::pair<std::string, std::string>("200", "(none)"));

    auto rec = crawl({redirect, "-u", "bob:pw", "--depth", "1", "--scope", "any", "--mode", mode});
    CHECK(rec.exit_code == 0);
    std::vector<LoggedRequest> log = b.request_log();
    std::size_t echoes = 0;
    for (const LoggedRequest& r : log) {
      INFO("request to B: " << r.target << "\n" << r.headers);
      if (r.target == "/echo/header/Authorization") ++echoes;
      CHECK(!has_header(r, "Authorization"));
    }
    CHECK(echoes == 2);
    for (const auto& [url, rec_fields] : records(rec.out)) {
      if (url.find("/echo/header/Authorization") != std::string::npos) {
        CHECK(rec_fields.second == "(none)");
      }
    }
  }

  auto bad = crawl({auth, "--user", "nocolon"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("USER:PASSWORD") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Proxies

TEST_CASE("requests: -x sends requests through the proxy in absolute form") {
  FixtureServer proxy;
  const std::string url = "http://127.0.0.9:9/echo/target";
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    proxy.reset_stats();
    auto res = crawl({url, "-x", proxy.base_url(), "--mode", mode});
    CHECK(res.exit_code == 0);
    CHECK(records(res.out)[url] == std::pair<std::string, std::string>("200", url));
    CHECK(proxy.stats().proxied == 1);
    std::vector<LoggedRequest> log = proxy.request_log();
    REQUIRE(log.size() == 1);
    CHECK(log[0].absolute_form == url);
    CHECK(log[0].target == "/echo/target");

    // Without the proxy the same URL is refused.
    auto direct = crawl({url, "--mode", mode, "--noproxy", "*"});
    CHECK(direct.exit_code == 1);
    CHECK(records(direct.out)[url].first == "refused");
  }
}

TEST_CASE("requests: http_proxy from the environment; HTTP_PROXY ignored; no_proxy exempts") {
  FixtureServer proxy;
  const std::string url = "http://127.0.0.9:9/echo/target";
  const std::string via = "http_proxy=" + proxy.base_url();
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    proxy.reset_stats();
    auto env = crawl_env({via}, {url, "--mode", mode});
    CHECK(env.exit_code == 0);
    CHECK(records(env.out)[url] == std::pair<std::string, std::string>("200", url));
    CHECK(proxy.stats().proxied == 1);

    auto all = crawl_env({"all_proxy=" + proxy.base_url()}, {url, "--mode", mode});
    CHECK(records(all.out)[url] == std::pair<std::string, std::string>("200", url));
    CHECK(proxy.stats().proxied == 2);

    auto upper = crawl_env({"HTTP_PROXY=" + proxy.base_url()}, {url, "--mode", mode});
    CHECK(records(upper.out)[url].first == "refused");

    auto exempt = crawl_env({via, "no_proxy=127.0.0.9"}, {url, "--mode", mode});
    CHECK(exempt.exit_code == 1);
    CHECK(records(exempt.out)[url].first == "refused");

    auto exempt_upper = crawl_env({via, "NO_PROXY=127.0.0.0/8"}, {url, "--mode", mode});
    CHECK(records(exempt_upper.out)[url].first == "refused");

    auto cidr = crawl({url, "-x", proxy.base_url(), "--noproxy", "127.0.0.0/8", "--mode", mode});
    CHECK(cidr.exit_code == 1);
    CHECK(records(cidr.out)[url].first == "refused");

    // --noproxy overrides no_proxy from the environment.
    auto override = crawl_env({via, "no_proxy=127.0.0.9"}, {url, "--noproxy", "", "--mode", mode});
    CHECK(records(override.out)[url] == std::pair<std::string, std::string>("200", url));
    CHECK(proxy.stats().proxied == 3);
    auto override_x = crawl_env({"no_proxy=127.0.0.9"}, {url, "-x", proxy.base_url(), "--noproxy",
                                                         "example.com", "--mode", mode});
    CHECK(records(override_x.out)[url] == std::pair<std::string, std::string>("200", url));
  }
}

TEST_CASE("requests: a proxy that cannot be reached or refuses the tunnel is `proxy`") {
  FixtureServer proxy;  // answers CONNECT with 403
  const std::string url = "http://127.0.0.9:9/echo/target";
  const std::string https = "https://127.0.0.9:9/";
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    for (const char* dead :
         {"http://127.0.0.1:1", "socks5h://127.0.0.1:1", "socks5://127.0.0.1:1"}) {
      INFO("proxy " << std::string(dead));
      auto res = crawl({url, "-x", dead, "--mode", mode});
      CHECK(res.exit_code == 1);
      CHECK(records(res.out)[url].first == "proxy");
    }
    proxy.reset_stats();
    auto tunnel = crawl({https, "-x", proxy.base_url(), "--mode", mode});
    CHECK(tunnel.exit_code == 1);
    CHECK(records(tunnel.out)[https].first == "proxy");
    std::vector<LoggedRequest> log = proxy.request_log();
    REQUIRE(log.size() == 1);
    CHECK(log[0].method == "CONNECT");
    CHECK(log[0].target == "127.0.0.9:9");

    // https_proxy is the environment's proxy for https:// pages.
    auto env = crawl_env({"https_proxy=" + proxy.base_url()}, {https, "--mode", mode});
    CHECK(records(env.out)[https].first == "proxy");
    CHECK(proxy.request_log().size() == 2);
  }
  FixtureServer refusing_502(ServerOptions{.connect_status = 502});
  auto res = crawl({https, "-x", refusing_502.base_url()});
  CHECK(records(res.out)[https].first == "proxy");
}

TEST_CASE("requests: a proxy with a scheme curl cannot use is exit 2") {
  FixtureServer a;
  for (const char* bad : {"ftp://x", "gopher://127.0.0.1:1"}) {
    INFO("proxy " << std::string(bad));
    auto res = crawl({a.base_url() + "/", "-x", bad});
    CHECK(res.exit_code == 2);
    CHECK(res.err.find(bad) != std::string::npos);
    CHECK(res.out.empty());
  }
  auto env = crawl_env({"http_proxy=ftp://x"}, {a.base_url() + "/"});
  CHECK(env.exit_code == 2);
  CHECK(a.stats().requests == 0);
}
