#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;

namespace {

struct WhereAmI {
  std::thread::id operator()() const { return std::this_thread::get_id(); }
};

struct Throws {
  int operator()() const { throw std::runtime_error("job failed"); }
};

struct SlowCounter {
  std::atomic<int>* ran;
  std::chrono::milliseconds d;
  int operator()() const {
    std::this_thread::sleep_for(d);
    ++*ran;
    return 1;
  }
};

Task<bool> runs_on_worker_resumes_on_loop(ThreadPool* pool) {
  auto loop_thread = std::this_thread::get_id();
  std::thread::id worker = co_await pool->run(WhereAmI{});
  co_return worker != loop_thread&& std::this_thread::get_id() == loop_thread;
}

Task<void> rethrows(ThreadPool* pool) {
  int v = co_await pool->run(Throws{});
  (void)v;
}

Task<void> run_slow(ThreadPool* pool, std::atomic<int>* ran, bool* cancelled) {
  try {
    int v = co_await pool->run(SlowCounter{ran, 100ms});
    (void)v;
  } catch (const Cancelled&) {
    *cancelled = true;
    throw;
  }
}

// One worker, busy with job A; job B waits in the queue. Cancelling B means B never runs;
// cancelling A (running) discards its result after it finishes.
Task<void> cancel_queued_and_running(ThreadPool* pool, std::atomic<int>* ran) {
  bool a_cancelled = false;
  bool b_cancelled = false;
  Scope scope;
  auto a = scope.spawn(run_slow(pool, ran, &a_cancelled));
  auto b = scope.spawn(run_slow(pool, ran, &b_cancelled));
  co_await sleep_for(20ms);  // A is running, B is queued
  b.cancel();
  a.cancel();
  co_await scope.join();
  CHECK(a_cancelled);
  CHECK(b_cancelled);
}

}  // namespace

TEST_CASE("a pool job runs on a worker and resumes on the loop thread") {
  ThreadPool pool(2);
  CHECK(run(runs_on_worker_resumes_on_loop(&pool)));
}

TEST_CASE("a pool job's exception is rethrown in the awaiter") {
  ThreadPool pool(1);
  CHECK_THROWS_WITH_AS(run(rethrows(&pool)), "job failed", std::runtime_error);
}

TEST_CASE("cancelled before start: never runs; cancelled while running: result discarded") {
  ThreadPool pool(1);
  std::atomic<int> ran{0};
  run(cancel_queued_and_running(&pool, &ran));
  CHECK(ran.load() == 1);  // only A ran
}
