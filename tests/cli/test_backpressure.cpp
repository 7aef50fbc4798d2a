// End to end: a reader that stops reading acrawl's output. The records wait in a bounded buffer
// and acrawl starts no new transfers; the transfers in flight finish normally instead of
// turning into timeouts.

#include <doctest/doctest.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "fixtures/server/fixture_server.hpp"
#include "tests/support/process.hpp"

using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::ServerOptions;
using acrawl::test::Child;
using namespace std::chrono_literals;

namespace {

// Bytes waiting in a pipe.
int pipe_bytes(int fd) {
  int n = 0;
  REQUIRE(::ioctl(fd, FIONREAD, &n) == 0);
  return n;
}

}  // namespace

TEST_CASE("a stalled reader: no timeouts, no new transfers, every record once in the end") {
  constexpr int kPages = 10'000;
  FixtureServer server(ServerOptions{.site_pages = kPages});
  char path[] = "/tmp/acrawl-urls-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  {
    std::ofstream urls(path);
    for (int n = 0; n < kPages; ++n) urls << server.base_url() << "/site/p/" << n << ".html\n";
  }
  Child child(ACRAWL_BIN, {path, "--timeout", "1", "--retries", "0", "-c", "50"});

  // Read nothing from the moment the pipe is half full (64 KiB): acrawl's writer is stuck in
  // write() soon after, with the crawl well under way.
  const auto limit = std::chrono::steady_clock::now() + 120s;
  while (pipe_bytes(child.stdout_fd()) < 32'768 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(10ms);  // polls the pipe's fill level, the condition waited for
  }
  REQUIRE(pipe_bytes(child.stdout_fd()) >= 32'768);
  const std::size_t at_half = server.stats().requests;
  // The stimulus itself, not a synchronisation: a reader that pauses longer than --timeout.
  std::this_thread::sleep_for(3s);
  const std::size_t after_pause = server.stats().requests;

  CHECK(child.wait(180s) == 0);
  std::istringstream out(child.out());
  std::string line;
  int lines = 0;
  int ok = 0;
  while (std::getline(out, line)) {
    ++lines;
    if (line.find("\t200\t") != std::string::npos) ++ok;
  }
  CHECK(lines == kPages);
  CHECK(ok == kPages);  // no `timeout`: the transfers never waited for the reader
  // While the reader paused, acrawl started at most the rest of the pipe (about 550 records),
  // a buffer's worth (4,096 records), those in flight and those queued for parsing.
  CHECK(after_pause - at_half <= 4096 + 1500);
  CHECK(after_pause < static_cast<std::size_t>(kPages));
  std::remove(path);
}
