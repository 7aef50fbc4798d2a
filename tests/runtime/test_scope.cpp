#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <vector>

#include "runtime/event.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;

namespace {

Task<int> after(std::chrono::milliseconds d, int value, std::vector<int>* order) {
  co_await sleep_for(d);
  order->push_back(value);
  co_return value;
}

Task<int> when_set(Event* go, int value, std::vector<int>* order) {
  co_await go->wait();
  order->push_back(value);
  co_return value;
}

Task<int> value_now(int value) {
  co_return value;
}

// Sets sleeping (when given) once it is about to block in a sleep that only cancellation ends.
Task<void> sleeps_forever(bool* unwound, Event* sleeping = nullptr) {
  struct Flag {
    bool* f;
    ~Flag() { *f = true; }
  } flag{unwound};
  if (sleeping != nullptr) sleeping->set();
  co_await sleep_for(1h);
}

Task<void> sleep_forever_task() {
  co_await sleep_for(1h);
}

// Fails after letting the tasks ready now run once (its siblings spawned before it have started).
Task<void> fails_soon() {
  co_await yield();
  throw std::runtime_error("child failed");
}

// The three children wait at once and end in the order they are released, not in spawn order
// as they would if the scope ran them one after another.
Task<std::vector<int>> spawn_three() {
  std::vector<int> order;
  Event go_a;
  Event go_b;
  Event go_c;
  Scope scope;
  auto a = scope.spawn(when_set(&go_a, 1, &order));
  auto b = scope.spawn(when_set(&go_b, 2, &order));
  auto c = scope.spawn(when_set(&go_c, 3, &order));
  co_await yield();  // all three have started and are waiting
  CHECK_FALSE(a.done());
  CHECK_FALSE(b.done());
  CHECK_FALSE(c.done());
  go_b.set();
  co_await yield();
  CHECK(b.done());
  CHECK_FALSE(a.done());
  go_c.set();
  go_a.set();
  co_await scope.join();
  CHECK(a.result() + b.result() + c.result() == 6);
  co_return order;
}

Task<void> error_cancels_siblings(bool* unwound) {
  Scope scope;
  scope.spawn(sleeps_forever(unwound));
  scope.spawn(fails_soon());
  co_await scope.join();
}

Task<bool> handle_cancel() {
  bool unwound = false;
  Event sleeping;
  Scope scope;
  auto h = scope.spawn(sleeps_forever(&unwound, &sleeping));
  co_await sleeping.wait();
  CHECK_FALSE(h.done());
  h.cancel();
  co_await scope.join();
  CHECK(h.cancelled());
  CHECK_THROWS_AS(h.result(), TaskCancelled);
  co_return unwound;
}

Task<int> awaits_handle() {
  std::vector<int> order;
  Scope scope;
  auto h = scope.spawn(after(5ms, 7, &order));
  int v = co_await h;
  co_await scope.join();
  co_return v;
}

Task<void> body_spawning(Scope& scope, int* count) {
  for (int i = 0; i < 10; ++i) {
    scope.spawn([](int* c) -> Task<void> {
      co_await yield();
      ++*c;
    }(count));
  }
  co_return;
}

// The body awaits a child that fails: the child's end wakes the body, and the same failure
// cancels the scope (and so the body's await) before the body runs again.
Task<void> awaits_failing_child(Scope& scope) {
  JoinHandle<void> child = scope.spawn(fails_soon());
  co_await child;
}

Task<int> with_scope_runs_body() {
  int count = 0;
  co_await with_scope(body_spawning, &count);
  co_return count;
}

Task<void> cancel_after_completion() {
  Scope scope;
  auto h = scope.spawn(value_now(5));
  co_await yield();  // the child starts and finishes without suspending
  REQUIRE(h.done());
  h.cancel();  // no effect once done
  CHECK_FALSE(h.cancelled());
  CHECK(h.result() == 5);
  co_await scope.join();
}

Task<void> outer_with_child(bool* unwound, Event* sleeping) {
  Scope scope;
  scope.spawn(sleeps_forever(unwound, sleeping));
  co_await scope.join();
}

Task<void> cancel_root_when(Loop* loop, Event* ready) {
  co_await ready->wait();
  loop->cancel_root();
}

Task<void> root_cancelled(Loop* loop, bool* unwound) {
  Event sleeping;
  Scope scope;
  scope.spawn(outer_with_child(unwound, &sleeping));
  scope.spawn(cancel_root_when(loop, &sleeping));
  co_await scope.join();
}

}  // namespace

TEST_CASE("scope runs children concurrently and joins them all") {
  auto order = run(spawn_three());
  CHECK(order == std::vector<int>{2, 3, 1});
}

TEST_CASE("a child's error cancels its siblings and is rethrown at join") {
  bool unwound = false;
  CHECK_THROWS_WITH_AS(run(error_cancels_siblings(&unwound)), "child failed", std::runtime_error);
  CHECK(unwound);  // the 1 h sleeper was cancelled, not waited for
}

TEST_CASE("JoinHandle::cancel cancels one task; result() then throws TaskCancelled") {
  CHECK(run(handle_cancel()));
}

TEST_CASE("awaiting a JoinHandle returns the task's value") {
  CHECK(run(awaits_handle()) == 7);
}

TEST_CASE("awaiting a child that fails wakes the awaiter once and rethrows its error") {
  CHECK_THROWS_AS(run(with_scope(awaits_failing_child)), std::runtime_error);
}

TEST_CASE("with_scope joins children the body spawned") {
  CHECK(run(with_scope_runs_body()) == 10);
}

TEST_CASE("cancel after completion has no effect") {
  run(cancel_after_completion());
}

TEST_CASE("cancelling the root cancels nested scopes; join then throws Cancelled") {
  Loop loop;
  bool unwound = false;
  bool threw_cancelled = false;
  try {
    loop.run(root_cancelled(&loop, &unwound));
  } catch (const Cancelled&) {
    threw_cancelled = true;
  }
  CHECK(threw_cancelled);
  CHECK(unwound);
}

namespace {

Task<void> await_handle_then_flag(JoinHandle<int> h, bool* cancelled) {
  try {
    int v = co_await h;
    (void)v;
  } catch (const Cancelled&) {
    *cancelled = true;
    throw;
  }
}

Task<int> int_when(Event* go) {
  co_await go->wait();
  co_return 3;
}

// Cancelling a task that awaits a JoinHandle wakes it at once; the awaited task goes on.
Task<void> cancel_handle_awaiter() {
  bool cancelled = false;
  Event go;
  Scope scope;
  auto target = scope.spawn(int_when(&go));
  auto awaiter = scope.spawn(await_handle_then_flag(target, &cancelled));
  co_await yield();  // both have started: target waits for go, awaiter for target
  CHECK_FALSE(awaiter.done());
  awaiter.cancel();
  co_await yield();  // at once: within one turn of the loop
  CHECK(cancelled);
  CHECK(awaiter.cancelled());
  CHECK_FALSE(target.done());
  go.set();
  co_await scope.join();
  CHECK(target.result() == 3);
}

Task<void> waits_forever(Event* e) {
  co_await e->wait();
}

Task<void> leave_scope_unjoined() {
  Scope scope;
  scope.spawn(sleep_forever_task());
  co_return;  // destroys the scope with a running child
}

}  // namespace

TEST_CASE("cancelling a task that awaits a JoinHandle wakes it; the awaited task goes on") {
  run(cancel_handle_awaiter());
}

TEST_CASE("run reports a task that waits for something that can never happen") {
  Event never_set;
  CHECK_THROWS_AS(run(waits_forever(&never_set)), std::logic_error);
}

TEST_CASE("destroying a scope with running children aborts loudly") {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Keep the expected message out of the test log, and doctest's crash handler out of the way.
    ::close(1);
    ::close(2);
    std::signal(SIGABRT, SIG_DFL);
    run(leave_scope_unjoined());
    ::_exit(0);  // not reached when the scope aborts
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
}
