#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;

namespace {

struct Gauge {
  int now = 0;
  int peak = 0;
};

Task<void> hold_permit(Semaphore* sem, Gauge* g, std::vector<int>* order, int id) {
  auto permit = co_await sem->acquire();
  order->push_back(id);
  g->peak = std::max(g->peak, ++g->now);
  co_await yield();  // holds the permit while the others line up
  --g->now;
}

Task<Gauge> bounded(std::vector<int>* order) {
  Semaphore sem(3);
  Gauge g;
  Scope scope;
  for (int i = 0; i < 12; ++i) scope.spawn(hold_permit(&sem, &g, order, i));
  co_await scope.join();
  CHECK(sem.available() == 3);
  co_return g;
}

Task<void> acquire_and_report(Semaphore* sem, bool* got) {
  auto permit = co_await sem->acquire();
  *got = true;
}

Task<void> cancel_waiting_acquire() {
  Semaphore sem(0);
  bool got = false;
  Scope scope;
  auto h = scope.spawn(acquire_and_report(&sem, &got));
  co_await yield();  // the acquire has started and waits
  CHECK(sem.waiting() == 1);
  h.cancel();
  co_await scope.join();
  CHECK(h.cancelled());
  CHECK_FALSE(got);
  CHECK(sem.waiting() == 0);
}

// The permit is handed to A, then A is cancelled before it runs: B must get it.
Task<void> handoff_to_cancelled_waiter() {
  Semaphore sem(1);
  auto held = sem.try_acquire();
  REQUIRE(held);
  bool a_got = false;
  bool b_got = false;
  Scope scope;
  auto a = scope.spawn(acquire_and_report(&sem, &a_got));
  auto b = scope.spawn(acquire_and_report(&sem, &b_got));
  co_await yield();  // both acquires have started and wait, A first
  REQUIRE(sem.waiting() == 2);
  held.release();  // hands the permit to A (scheduled, not yet run)
  a.cancel();      // ...and A is cancelled before it runs
  co_await scope.join();
  CHECK_FALSE(a_got);
  CHECK(b_got);
  CHECK(sem.available() == 1);
}

Task<void> acquire_in_cancelled_context(Semaphore* sem, bool* threw) {
  current_cancel_state()->cancel();
  try {
    auto p = co_await sem->acquire();  // a permit is free, but the context is cancelled
  } catch (const Cancelled&) {
    *threw = true;
  }
}

Task<void> level_triggered() {
  Semaphore sem(5);
  bool threw = false;
  Scope scope;
  scope.spawn(acquire_in_cancelled_context(&sem, &threw));
  co_await scope.join();
  CHECK(threw);
  CHECK(sem.available() == 5);
}

}  // namespace

TEST_CASE("semaphore bounds concurrency and serves waiters FIFO") {
  std::vector<int> order;
  Gauge g = run(bounded(&order));
  CHECK(g.peak == 3);
  std::vector<int> expected;
  for (int i = 0; i < 12; ++i) expected.push_back(i);
  CHECK(order == expected);
}

TEST_CASE("cancelling a waiting acquire wakes it at once and takes no permit") {
  run(cancel_waiting_acquire());
}

TEST_CASE("a permit handed to a waiter that is then cancelled is passed on") {
  run(handoff_to_cancelled_waiter());
}

TEST_CASE("acquire in a cancelled context throws even when a permit is free") {
  run(level_triggered());
}
