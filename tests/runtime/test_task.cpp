#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "runtime/loop.hpp"
#include "runtime/task.hpp"

using namespace acrawl::rt;

namespace {

Task<int> answer() {
  co_return 42;
}

Task<int> add_answers(int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await answer();
  co_return sum;
}

Task<std::string> fails() {
  throw std::runtime_error("boom");
  co_return "unreachable";
}

Task<void> counts(int* counter) {
  ++*counter;
  co_return;
}

Task<int> never_started_side_effect(int* counter) {
  ++*counter;
  co_return 1;
}

Task<int> deep_sync_chain(int n) {
  long total = 0;
  for (int i = 0; i < n; ++i) total += co_await answer();
  co_return static_cast<int>(total / n);
}

}  // namespace

TEST_CASE("run returns the root task's value") {
  CHECK(run(add_answers(10)) == 420);
}

TEST_CASE("run rethrows the root task's exception") {
  CHECK_THROWS_WITH_AS(run(fails()), "boom", std::runtime_error);
}

TEST_CASE("tasks are lazy: nothing runs until awaited") {
  int counter = 0;
  {
    auto t = never_started_side_effect(&counter);
    CHECK(counter == 0);
  }
  CHECK(counter == 0);
  int c2 = 0;
  run(counts(&c2));
  CHECK(c2 == 1);
}

TEST_CASE("a million synchronously completing awaits do not grow the stack") {
  // Without symmetric transfer each await would nest a resume() frame and overflow the stack.
  CHECK(run(deep_sync_chain(1'000'000)) == 42);
}
