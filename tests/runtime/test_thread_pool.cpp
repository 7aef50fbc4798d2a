#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "runtime/event.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;

namespace {

struct WhereAmI {
  std::thread::id operator()() const { return std::this_thread::get_id(); }
};

struct Throws {
  int operator()() const { throw std::runtime_error("job failed"); }
};

// A door a worker can wait at until the test opens it. Opening is idempotent.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// Tells the loop it has started (through Loop::post, the pool's own cross-thread edge), then
// keeps its worker until the gate opens.
struct HeldJob {
  Loop* loop;
  Event* started;
  Gate* gate;
  std::atomic<int>* ran;
  int operator()() const {
    Event* e = started;
    loop->post([e] { e->set(); });
    gate->wait();
    ++*ran;
    return 1;
  }
};

struct CountingJob {
  std::atomic<int>* ran;
  int operator()() const {
    ++*ran;
    return 2;
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

template <class Job>
Task<void> run_job(ThreadPool* pool, Job job, bool* cancelled) {
  try {
    int v = co_await pool->run(std::move(job));
    (void)v;
  } catch (const Cancelled&) {
    *cancelled = true;
    throw;
  }
}

// One worker, held busy by job A; job B waits in the queue behind it. Cancelling B means B
// never runs and its awaiter wakes at once; cancelling A (running) discards its result once it
// finishes, and its awaiter waits for that.
Task<void> cancel_queued_and_running(ThreadPool* pool, std::atomic<int>* ran) {
  bool a_cancelled = false;
  bool b_cancelled = false;
  Event a_started;
  Gate gate;
  Scope scope;
  auto a =
      scope.spawn(run_job(pool, HeldJob{&Loop::current(), &a_started, &gate, ran}, &a_cancelled));
  co_await a_started.wait();  // A holds the only worker until the gate opens
  auto b = scope.spawn(run_job(pool, CountingJob{ran}, &b_cancelled));
  co_await yield();  // b has started and submitted B: queued, since A keeps the worker
  CHECK_FALSE(b.done());
  b.cancel();
  co_await yield();
  CHECK(b.done());  // a queued job's awaiter wakes at once, A still running
  CHECK(b_cancelled);
  a.cancel();
  co_await yield();
  CHECK_FALSE(a.done());  // a running job cannot be interrupted: its awaiter waits for it
  CHECK(ran->load() == 0);
  gate.open();  // before the join whatever was checked: a held worker would hang the pool
  co_await scope.join();
  CHECK(a_cancelled);
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
  CHECK(ran.load() == 1);  // only A ran: B was dropped from the queue
}
