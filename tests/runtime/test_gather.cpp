#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/event.hpp"
#include "runtime/gather.hpp"
#include "runtime/loop.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;

namespace {

Task<int> value_after(int v, std::chrono::milliseconds d) {
  co_await sleep_for(d);
  co_return v;
}

Task<std::string> text_after(std::string s, std::chrono::milliseconds d) {
  co_await sleep_for(d);
  co_return s;
}

Task<void> nothing() {
  co_return;
}

Task<int> fail_after(std::chrono::milliseconds d) {
  co_await sleep_for(d);
  throw std::runtime_error("first failure");
}

// Never finishes on its own: only cancellation ends it. Sets sleeping when it is about to
// block.
Task<int> never(bool* unwound, Event* sleeping) {
  struct Flag {
    bool* f;
    ~Flag() { *f = true; }
  } flag{unwound};
  sleeping->set();
  co_await sleep_for(24h);
  co_return 0;
}

Task<int> fail_when(Event* e) {
  co_await e->wait();
  throw std::runtime_error("first failure");
}

Task<std::tuple<int, std::string, std::monostate>> mixed() {
  co_return co_await gather(value_after(1, 20ms), text_after("two", 5ms), nothing());
}

Task<std::vector<int>> in_order() {
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 50; ++i) tasks.push_back(value_after(i, std::chrono::milliseconds(50 - i)));
  co_return co_await gather(std::move(tasks));
}

Task<void> first_error_with_endless_sibling(bool* unwound) {
  Event sleeping;
  std::vector<Task<int>> tasks;
  tasks.push_back(never(unwound, &sleeping));
  tasks.push_back(fail_when(&sleeping));
  auto values = co_await gather(std::move(tasks));
  (void)values;
}

Task<std::vector<Outcome<int>>> settled() {
  std::vector<Task<int>> tasks;
  tasks.push_back(value_after(1, 10ms));
  tasks.push_back(fail_after(1ms));
  tasks.push_back(value_after(3, 5ms));
  co_return co_await gather_settled(std::move(tasks));
}

Task<std::vector<Outcome<int>>> settled_forever(bool* unwound, Event* sleeping) {
  std::vector<Task<int>> tasks;
  tasks.push_back(never(unwound, sleeping));
  co_return co_await gather_settled(std::move(tasks));
}

Task<void> cancel_root_when(Loop* loop, Event* e) {
  co_await e->wait();
  loop->cancel_root();
}

Task<void> settled_under_outer_cancel(Loop* loop, bool* unwound, bool* returned) {
  Event sleeping;
  Scope scope;
  scope.spawn(cancel_root_when(loop, &sleeping));
  try {
    auto outcomes = co_await settled_forever(unwound, &sleeping);
    *returned = true;
  } catch (const Cancelled&) {
  }
  co_await scope.join();
}

struct Counter {
  int next = 0;
  int limit;
  int* live;
  int* peak;
  std::optional<Task<int>> operator()();
};

Task<int> tracked(int v, int* live, int* peak) {
  ++*live;
  *peak = std::max(*peak, *live);
  co_await yield();  // holds its slot while the others run
  --*live;
  co_return v;
}

std::optional<Task<int>> Counter::operator()() {
  if (next == limit) return std::nullopt;
  return tracked(next++, live, peak);
}

Task<std::vector<int>> windowed(int* live, int* peak) {
  co_return co_await gather_windowed<int>(Counter{0, 200, live, peak}, 8);
}

}  // namespace

TEST_CASE("gather: mixed types, results in argument order") {
  auto [a, b, c] = run(mixed());
  CHECK(a == 1);
  CHECK(b == "two");
  (void)c;
}

TEST_CASE("gather over a vector: results in order, not completion order") {
  auto v = run(in_order());
  REQUIRE(v.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(v[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("gather: first failure cancels a sibling that never ends, waits, rethrows") {
  bool unwound = false;
  CHECK_THROWS_WITH_AS(run(first_error_with_endless_sibling(&unwound)), "first failure",
                       std::runtime_error);
  CHECK(unwound);
}

TEST_CASE("gather_settled: one outcome per child, failures do not cancel siblings") {
  auto outcomes = run(settled());
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].value() == 1);
  CHECK_FALSE(outcomes[1].ok());
  CHECK_THROWS_WITH_AS(outcomes[1].value(), "first failure", std::runtime_error);
  CHECK(outcomes[2].value() == 3);
}

TEST_CASE("gather_settled does not swallow the cancellation of the gather itself") {
  Loop loop;
  bool unwound = false;
  bool returned = false;
  CHECK_THROWS_AS(loop.run(settled_under_outer_cancel(&loop, &unwound, &returned)), Cancelled);
  CHECK(unwound);
  CHECK_FALSE(returned);
}

TEST_CASE("gather_windowed: at most K at once over a lazy sequence, results in order") {
  int live = 0;
  int peak = 0;
  auto v = run(windowed(&live, &peak));
  REQUIRE(v.size() == 200);
  for (int i = 0; i < 200; ++i) CHECK(v[static_cast<std::size_t>(i)] == i);
  CHECK(peak == 8);
  CHECK(live == 0);
}
