#include <doctest/doctest.h>

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/gather.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;
using acrawl::fixtures::FixtureServer;

namespace {

struct Easy {
  CURL* h = curl_easy_init();
  Easy(const std::string& url, std::string* body) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Easy::write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
  }
  ~Easy() { curl_easy_cleanup(h); }
  static std::size_t write(char* d, std::size_t s, std::size_t n, void* body) {
    static_cast<std::string*>(body)->append(d, s * n);
    return s * n;
  }
};

Task<CURLcode> fetch(CurlMulti* multi, std::string url, std::string* body) {
  Easy easy(url, body);
  co_return co_await multi->transfer(easy.h);
}

Task<std::vector<CURLcode>> fetch_many(std::string base, int n, std::vector<std::string>* bodies) {
  CurlMulti multi;
  bodies->resize(static_cast<std::size_t>(n));
  std::vector<Task<CURLcode>> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.push_back(fetch(&multi, base + "/delay/100/site/p/" + std::to_string(i) + ".html",
                          &(*bodies)[static_cast<std::size_t>(i)]));
  }
  co_return co_await gather(std::move(tasks));
}

Task<void> cancel_mid_body(std::string url, bool* cancelled, std::size_t* received) {
  CurlMulti multi;
  std::string body;
  Scope scope;
  auto h = scope.spawn(fetch(&multi, url, &body));
  co_await sleep_for(150ms);
  h.cancel();
  co_await scope.join();
  *cancelled = h.cancelled();
  *received = body.size();
  CHECK(multi.in_flight() == 0);
}

Task<CURLcode> timed_out_transfer(std::string url) {
  CurlMulti multi;
  std::string body;
  co_return co_await with_timeout(fetch(&multi, url, &body), 100ms);
}

}  // namespace

TEST_CASE("curl driver: 100 concurrent transfers complete with their bodies") {
  FixtureServer server;
  std::vector<std::string> bodies;
  auto start = Clock::now();
  auto codes = run(fetch_many(server.base_url(), 100, &bodies));
  auto elapsed = Clock::now() - start;
  for (auto c : codes) CHECK(c == CURLE_OK);
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    CHECK(bodies[i].find("<title>") != std::string::npos);
  }
  CHECK(elapsed < 5s);  // serial would be 10 s
  CHECK(server.stats().max_in_flight > 50);
}

TEST_CASE("curl driver: a transfer fails with curl's code, not an exception") {
  std::string body;
  Loop loop;
  CurlMulti multi;
  CHECK(loop.run(fetch(&multi, "http://127.0.0.1:1/", &body)) == CURLE_COULDNT_CONNECT);
}

TEST_CASE("curl driver: cancelling mid-body removes the transfer; the server sees it go") {
  FixtureServer server;
  bool cancelled = false;
  std::size_t received = 0;
  // 10 MB dribbled at 10 KB per 10 ms: takes 10 s unless cancelled.
  run(cancel_mid_body(server.base_url() + "/slow/10000000/10000/10", &cancelled, &received));
  CHECK(cancelled);
  CHECK(received > 0);
  CHECK(received < 10'000'000);
  // The connection is gone on the server side soon after (curl closed it).
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server.stats().connections > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(server.stats().connections == 0);
}

TEST_CASE("curl driver: with_timeout around a transfer cancels it") {
  FixtureServer server;
  auto start = Clock::now();
  CHECK_THROWS_AS(run(timed_out_transfer(server.base_url() + "/delay/5000/status/200")),
                  TimeoutError);
  CHECK(Clock::now() - start < 3s);
}
