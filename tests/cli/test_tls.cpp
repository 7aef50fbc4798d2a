// End to end over TLS: Debian's nginx in front of the fixture server, with a certificate from a
// CA made for the test run (never the system trust store): verification, --cacert / --capath /
// --insecure, HTTP/2 multiplexing and HTTP/1.1 connection counts.

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_front.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::ServerOptions;
using acrawl::test::ProcessResult;
using acrawl::test::run_process;
using acrawl::test::TestCa;
using acrawl::test::TlsFront;
using namespace std::chrono_literals;

namespace {

// url -> "status<TAB>title" from TSV output.
std::map<std::string, std::string> records(const std::string& tsv) {
  std::map<std::string, std::string> out;
  std::istringstream in(tsv);
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

ProcessResult crawl(std::vector<std::string> args, const std::string& input = {}) {
  args.push_back("--no-progress");
  return run_process(ACRAWL_BIN, args, input, 120s);
}

std::string pages(const std::string& base, int n) {
  std::string urls;
  for (int i = 0; i < n; ++i) urls += base + "/site/p/" + std::to_string(i) + ".html\n";
  return urls;
}

}  // namespace

TEST_CASE("TLS: the test CA's site with --cacert or --capath; refused without; -k warns" *
          doctest::skip(!TlsFront::available())) {
  FixtureServer server;
  TestCa ca;
  TlsFront tls(ca, server.base_url());
  const std::string url = tls.h1_base_url() + "/site/p/1.html";

  auto trusted = crawl({url, "--cacert", ca.ca_file()});
  CHECK(trusted.exit_code == 0);
  CHECK(records(trusted.out)[url].starts_with("200\tPage 1 "));

  auto by_dir = crawl({url, "--capath", ca.ca_dir()});
  CHECK(by_dir.exit_code == 0);
  CHECK(records(by_dir.out)[url].starts_with("200\t"));

  // The system store does not know the test CA: verification fails, the record says tls.
  auto untrusted = crawl({url, "--retries", "0"});
  CHECK(untrusted.exit_code == 1);
  CHECK(records(untrusted.out)[url] == "tls\t");

  auto insecure = crawl({url, "-k"});
  CHECK(insecure.exit_code == 0);
  CHECK(records(insecure.out)[url].starts_with("200\t"));
  CHECK(insecure.err.find("--insecure") != std::string::npos);

  // A --cacert that holds no certificate stops the crawl before it starts.
  auto bad = crawl({url, "--cacert", ca.key_file()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("cannot load CA certificates") != std::string::npos);
  CHECK(bad.out.empty());
}

TEST_CASE("TLS: every mode verifies against --cacert, and the host name too" *
          doctest::skip(!TlsFront::available())) {
  FixtureServer server;
  TestCa ca;
  TlsFront tls(ca, server.base_url());
  for (const char* mode : {"async", "threads", "sync"}) {
    INFO("mode " << std::string(mode));
    auto res = crawl({"-", "--cacert", ca.ca_file(), "--mode", mode, "-c", "4"},
                     pages(tls.h1_base_url(), 20));
    CHECK(res.exit_code == 0);
    CHECK(records(res.out).size() == 20);
  }
  // The certificate names 127.0.0.1 and localhost; other.localhost reaches the same server
  // under a name the certificate does not hold: refused.
  const std::string other = "https://other.localhost:" + std::to_string(tls.h1_port()) + "/";
  auto wrong_name = crawl({other, "--cacert", ca.ca_file(), "--retries", "0"});
  CHECK(records(wrong_name.out)[other] == "tls\t");
}

TEST_CASE("HTTP/2 over TLS: 200 pages share one connection; --http1.1 opens at most -c" *
          doctest::skip(!TlsFront::available())) {
  FixtureServer server(ServerOptions{.site_pages = 200});
  TestCa ca;
  TlsFront tls(ca, server.base_url());

  auto h2 = crawl({"-", "--cacert", ca.ca_file(), "-c", "50"}, pages(tls.h2_base_url(), 200));
  CHECK(h2.exit_code == 0);
  CHECK(records(h2.out).size() == 200);
  TlsFront::Seen multiplexed = tls.seen(tls.h2_port(), 200);
  CHECK(multiplexed.requests == 200);
  CHECK(multiplexed.http2 == 200);
  CHECK(multiplexed.connections <= 2);

  tls.clear_log();
  auto h1 = crawl({"-", "--cacert", ca.ca_file(), "-c", "10", "--http1.1"},
                  pages(tls.h2_base_url(), 200));
  CHECK(h1.exit_code == 0);
  CHECK(records(h1.out).size() == 200);
  TlsFront::Seen one_one = tls.seen(tls.h2_port(), 200);
  CHECK(one_one.requests == 200);
  CHECK(one_one.http2 == 0);
  // Connections kept and reused: no more than transfers in flight, even when the host's queue
  // runs dry between input batches.
  CHECK(one_one.connections <= 10);

  // The HTTP/1.1-only port: kept connections there too.
  tls.clear_log();
  auto only_h1 = crawl({"-", "--cacert", ca.ca_file(), "-c", "10"}, pages(tls.h1_base_url(), 200));
  CHECK(records(only_h1.out).size() == 200);
  CHECK(tls.seen(tls.h1_port(), 200).connections <= 10);
}

TEST_CASE("many hosts: a host with nothing more queued keeps no connection open") {
  // *.localhost names reach 127.0.0.1 without DNS: 300 hosts of one fixture server. The last
  // URL waits at a barrier, so the crawl is still running when the others are done: then the
  // only connection open should be the waiting one. Kept for reuse, the others would stay open
  // (up to the connection cache's bound, 20 here) until the crawl ends.
  FixtureServer server;
  const std::string port = std::to_string(server.port());
  std::string urls;
  for (int i = 0; i < 300; ++i) {
    urls += "http://h" + std::to_string(i) + ".localhost:" + port + "/site/p/" + std::to_string(i) +
            ".html\n";
  }
  const std::string held = "http://held.localhost:" + port + "/barrier/2/site/p/0.html";
  acrawl::test::Child child(ACRAWL_BIN, {"-", "-c", "10", "--no-progress"});
  child.write_stdin(urls + held + "\n");
  child.close_stdin();
  const bool only_the_held_one = server.wait_for(
      [](const auto& s) { return s.requests == 301 && s.in_flight == 1 && s.connections <= 1; },
      30s);
  CHECK(only_the_held_one);
  // The second arrival opens the barrier.
  auto opener = crawl({"-"}, held + "\n");
  CHECK(opener.exit_code == 0);
  CHECK(child.wait(60000ms) == 0);
  CHECK(records(child.out()).size() == 301);
}
