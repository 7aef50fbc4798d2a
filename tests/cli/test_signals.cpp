// End to end: SIGINT and SIGTERM in every mode — records already produced reach the output on
// any signal, and nothing the crawl waits on (stdin mid-line, a robots.txt fetch) keeps it
// from stopping.

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::test::Child;
using namespace std::chrono_literals;

namespace {

constexpr const char* kModes[] = {"async", "threads", "sync"};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A TCP listener on 127.0.0.1 that accepts connections and never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() {
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Blocks until a client connects (the accept is the event the test waits for).
  void accept_one() {
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(c >= 0);
    clients_.push_back(c);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> clients_;
};

}  // namespace

TEST_CASE("a second signal still writes every record produced so far to -o FILE, then exits") {
  FixtureServer server;
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    char path[] = "/tmp/acrawl-signal-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    // -vv logs each record as it is produced; -o to a regular file holds records in a buffer
    // until the end, which a second signal must not lose.
    Child child(ACRAWL_BIN, {"-", "--mode", mode, "-c", "4", "-o", path, "-vv", "--retries", "0"});
    std::string urls;
    for (int n = 0; n < 3; ++n) {
      urls += server.base_url() + "/site/p/" + std::to_string(n) + ".html\n";
    }
    urls += server.base_url() + "/delay/60000/site/p/9.html\n";
    child.write_stdin(urls);
    REQUIRE(child.wait_stderr("record http://", 3, 20s));
    child.send_signal(SIGINT);
    // Only once the first is taken (two signals sent at once may arrive as one). The crawl may
    // have finished by the time the second comes (the async mode stops at once): both ways,
    // every record produced must be in the file.
    REQUIRE(child.wait_stderr("interrupted by signal", 1, 20s));
    child.send_signal(SIGINT);
    CHECK(child.wait(20s) == 130);
    const std::string out = read_file(path);
    for (int n = 0; n < 3; ++n) {
      CHECK(count(out, server.base_url() + "/site/p/" + std::to_string(n) + ".html\t200\t") == 1);
    }
    CHECK(count(out, "\n") == count(out, "\t") / 2);  // whole lines only
    std::remove(path);
  }
}

TEST_CASE("Ctrl-C stops a crawl whose stdin is open in the middle of a line") {
  FixtureServer server;
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    Child child(ACRAWL_BIN, {"-", "--mode", mode});
    child.write_stdin(server.base_url() + "/site/p/1.html\nhttp://127.0.0.1/par");
    child.read_lines(1, 20s);  // the first line's record: the reader now waits mid-line
    REQUIRE(child.out().find("/site/p/1.html\t200\t") != std::string::npos);
    child.send_signal(SIGINT);
    CHECK(child.wait(20s) == 130);
    CHECK(count(child.out(), "\n") == 1);  // the partial line was never a URL
  }
}

TEST_CASE("Ctrl-C stops a crawl waiting on a robots.txt that never answers") {
  for (const char* mode : kModes) {
    INFO("mode " << std::string(mode));
    SilentServer silent;
    // No limit but --timeout 300 s would end that transfer.
    Child child(ACRAWL_BIN, {silent.base_url() + "/", "--depth", "1", "--mode", mode, "--timeout",
                             "300", "--min-speed", "0"});
    silent.accept_one();  // the robots.txt request is under way
    child.send_signal(SIGINT);
    CHECK(child.wait(20s) == 130);  // not after --timeout
    CHECK(child.out() == silent.base_url() + "/\tcancelled\t\n");
  }
}

TEST_CASE("SIGTERM works like SIGINT") {
  FixtureServer server;
  Child child(ACRAWL_BIN, {"-"});
  child.write_stdin(server.base_url() + "/site/p/1.html\n" + server.base_url() +
                    "/delay/60000/site/p/2.html\n");
  child.read_lines(1, 20s);
  child.send_signal(SIGTERM);
  CHECK(child.wait(20s) == 130);
  CHECK(count(child.out(), "/delay/60000/site/p/2.html\tcancelled\t") == 1);
}
