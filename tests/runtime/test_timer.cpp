#include <doctest/doctest.h>

#include <chrono>
#include <csignal>

#include "runtime/event.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/signals.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;

namespace {

Task<int> slow_value(std::chrono::milliseconds d) {
  co_await sleep_for(d);
  co_return 7;
}

Task<Clock::duration> measure_sleep(std::chrono::milliseconds d) {
  auto start = Clock::now();
  co_await sleep_for(d);
  co_return Clock::now() - start;
}

Task<int> timeout_not_firing() {
  co_return co_await with_timeout(slow_value(1ms), 1h);
}
Task<int> timeout_firing() {
  co_return co_await with_timeout(slow_value(1h), 20ms);
}

Task<void> cleanup(bool* done) {
  co_await sleep_for(5ms);  // would throw at once without the shield: the caller is cancelled
  *done = true;
}

Task<void> shielded_cleanup(bool* done, bool* still_cancelled) {
  current_cancel_state()->cancel();
  co_await shield(cleanup(done));
  try {
    co_await yield();
  } catch (const Cancelled&) {
    *still_cancelled = true;
  }
}

Task<void> shield_bounded() {
  co_await shield_for(slow_value(1h), 10ms);
}

Task<void> waiter(Event* e, int* woken) {
  co_await e->wait();
  ++*woken;
}

Task<int> event_wakes_all() {
  Event e;
  int woken = 0;
  Scope scope;
  for (int i = 0; i < 3; ++i) scope.spawn(waiter(&e, &woken));
  co_await yield();  // all three have started and wait
  CHECK(woken == 0);
  e.set();
  co_await scope.join();
  co_return woken;
}

Task<bool> cancel_event_wait() {
  Event e;
  int woken = 0;
  Scope scope;
  auto h = scope.spawn(waiter(&e, &woken));
  co_await yield();  // the wait has started
  CHECK_FALSE(h.done());
  h.cancel();
  co_await scope.join();
  co_return h.cancelled() && woken == 0;
}

// "At once" without a clock: the cancelled sleeper has ended within one turn of the loop.
Task<bool> cancel_sleep_wakes_at_once() {
  Scope scope;
  auto h = scope.spawn(slow_value(1h));
  co_await yield();  // the sleep has started
  CHECK_FALSE(h.done());
  h.cancel();
  co_await yield();
  CHECK(h.done());
  co_await scope.join();
  co_return h.cancelled();
}

Task<int> receive_signal(SignalSet* set) {
  std::raise(SIGUSR1);
  co_return co_await set->next();
}

}  // namespace

TEST_CASE("sleep_for sleeps at least the duration") {
  auto slept = run(measure_sleep(20ms));
  CHECK(slept >= 20ms);
}

TEST_CASE("a cancelled sleep wakes at once") {
  CHECK(run(cancel_sleep_wakes_at_once()));
}

// Without a clock: had the deadline not cancelled the sleep, it would have ended normally with
// its value (after an hour) instead of TimeoutError.
TEST_CASE("with_timeout: not firing returns the value; firing throws TimeoutError") {
  CHECK(run(timeout_not_firing()) == 7);
  CHECK_THROWS_AS(run(timeout_firing()), TimeoutError);
}

TEST_CASE("shield lets cleanup finish in a cancelled task; cancellation stays level-triggered") {
  bool done = false;
  bool still_cancelled = false;
  run(shielded_cleanup(&done, &still_cancelled));
  CHECK(done);
  CHECK(still_cancelled);
}

TEST_CASE("shield_for bounds the shielded work") {
  CHECK_THROWS_AS(run(shield_bounded()), TimeoutError);
}

TEST_CASE("event: set wakes every waiter; a cancelled wait wakes at once") {
  CHECK(run(event_wakes_all()) == 3);
  CHECK(run(cancel_event_wait()));
}

TEST_CASE("signals arrive on the loop through SignalSet") {
  Loop loop;
  SignalSet set({SIGUSR1});
  CHECK(loop.run(receive_signal(&set)) == SIGUSR1);
}

namespace {
Task<void> wait_signal(SignalSet* set, bool* cancelled) {
  try {
    int s = co_await set->next();
    (void)s;
  } catch (const Cancelled&) {
    *cancelled = true;
    throw;
  }
}

Task<bool> cancel_signal_wait(SignalSet* set) {
  bool cancelled = false;
  Scope scope;
  auto h = scope.spawn(wait_signal(set, &cancelled));
  co_await yield();  // the wait has started
  CHECK_FALSE(h.done());
  h.cancel();
  co_await scope.join();
  co_return cancelled;
}
}  // namespace

TEST_CASE("waiting for a signal is cancellable") {
  Loop loop;
  SignalSet set({SIGUSR2});
  CHECK(loop.run(cancel_signal_wait(&set)));
}
