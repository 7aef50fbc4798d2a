#include <doctest/doctest.h>

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fixtures/server/fixture_server.hpp"
#include "runtime/curl_multi.hpp"
#include "runtime/event.hpp"
#include "runtime/gather.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;
using acrawl::fixtures::FixtureServer;
using acrawl::fixtures::LoggedRequest;
using acrawl::fixtures::ServerStats;

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

// n transfers that the server holds at one barrier until all n are there: they complete only
// if the driver runs them all at once. The one-minute timeout guards against a hang.
Task<std::vector<CURLcode>> fetch_many(std::string base, int n, std::vector<std::string>* bodies) {
  CurlMulti multi;
  bodies->resize(static_cast<std::size_t>(n));
  std::vector<Task<CURLcode>> tasks;
  std::string barrier = "/barrier/" + std::to_string(n) + "/site/p/";
  for (int i = 0; i < n; ++i) {
    tasks.push_back(fetch(&multi, base + barrier + std::to_string(i) + ".html",
                          &(*bodies)[static_cast<std::size_t>(i)]));
  }
  Task<std::vector<CURLcode>> all = gather(std::move(tasks));
  co_return co_await with_timeout(std::move(all), 60s);
}

// Collects a body and sets an event once the first bytes are in (on the loop thread: curl calls
// the write function from inside the driver's socket_action).
struct SignallingSink {
  std::string body;
  Event first_bytes;
  static std::size_t write(char* d, std::size_t s, std::size_t n, void* p) {
    auto* self = static_cast<SignallingSink*>(p);
    self->body.append(d, s * n);
    if (!self->first_bytes.is_set()) self->first_bytes.set();
    return s * n;
  }
};

Task<CURLcode> fetch_into(CurlMulti* multi, std::string url, SignallingSink* sink) {
  Easy easy(url, &sink->body);
  curl_easy_setopt(easy.h, CURLOPT_WRITEFUNCTION, &SignallingSink::write);
  curl_easy_setopt(easy.h, CURLOPT_WRITEDATA, sink);
  co_return co_await multi->transfer(easy.h);
}

Task<void> cancel_mid_body(std::string url, bool* cancelled, std::size_t* received) {
  CurlMulti multi;
  SignallingSink sink;
  Scope scope;
  auto h = scope.spawn(fetch_into(&multi, url, &sink));
  co_await sink.first_bytes.wait();  // the body is flowing
  CHECK_FALSE(h.done());
  h.cancel();
  co_await scope.join();
  *cancelled = h.cancelled();
  *received = sink.body.size();
  CHECK(multi.in_flight() == 0);
}

Task<CURLcode> timed_out_transfer(std::string url) {
  CurlMulti multi;
  std::string body;
  co_return co_await with_timeout(fetch(&multi, url, &body), 200ms);
}

}  // namespace

TEST_CASE("curl driver: 100 concurrent transfers complete with their bodies") {
  FixtureServer server;
  std::vector<std::string> bodies;
  auto codes = run(fetch_many(server.base_url(), 100, &bodies));
  for (auto c : codes) CHECK(c == CURLE_OK);
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    CHECK(bodies[i].find("<title>") != std::string::npos);
  }
  CHECK(server.stats().max_in_flight == 100);  // all at once: serially, none would complete
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
  // The connection goes on the server side (curl closed it: the server's next write fails).
  CHECK(server.wait_for([](const ServerStats& s) { return s.connections == 0; }));
  CHECK(server.stats().in_flight == 0);
}

TEST_CASE("curl driver: with_timeout around a transfer cancels it") {
  FixtureServer server;
  CHECK_THROWS_AS(run(timed_out_transfer(server.base_url() + "/delay/600000/status/200")),
                  TimeoutError);
  // The client gave up without waiting for an answer: every request that reached the server
  // is still in its ten-minute delay there.
  for (const LoggedRequest& r : server.request_log()) {
    CHECK(r.target == "/delay/600000/status/200");
    CHECK(r.ended == std::chrono::steady_clock::time_point{});
  }
}
