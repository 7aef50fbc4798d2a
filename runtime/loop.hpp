#pragma once
// Loop: a single-threaded epoll reactor with a ready queue, a timer heap and a cross-thread
// post() channel (one eventfd).
//
// A coroutine woken by an event (I/O, a timer, curl, another thread's post) is resumed only from
// the ready queue at the top of the loop, never from inside an I/O, timer or curl callback: those
// only record facts and schedule. (Awaiting a Task runs it at once, by symmetric transfer, and a
// finished Task resumes its awaiter the same way.)

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "runtime/cancel.hpp"
#include "runtime/task.hpp"

namespace acrawl::rt {

using Clock = std::chrono::steady_clock;

// Receives readiness events for a watched file descriptor (loop thread).
class IoWatcher {
 public:
  virtual void on_io(std::uint32_t events) noexcept = 0;

 protected:
  virtual ~IoWatcher() = default;
};

// Identifies one registration in the loop's watcher table; stale events of a removed
// registration are dropped even when the fd number is reused in the same epoll batch.
struct IoHandle {
  std::uint32_t index = 0;
  std::uint32_t generation = 0;
  bool valid() const noexcept { return generation != 0; }
};

// An entry of the loop's timer heap. on_timer runs on the loop thread, outside coroutines.
class TimerNode {
 public:
  virtual void on_timer() noexcept = 0;
  bool armed() const noexcept { return heap_index_ != kNotArmed; }
  Clock::time_point deadline() const noexcept { return deadline_; }

 protected:
  virtual ~TimerNode() = default;

 private:
  friend class Loop;
  static constexpr std::size_t kNotArmed = static_cast<std::size_t>(-1);
  Clock::time_point deadline_{};
  std::size_t heap_index_ = kNotArmed;
};

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // The loop of this thread. Precondition: one exists (std::logic_error otherwise).
  static Loop& current() {
    if (tls_current_ == nullptr) no_loop();
    return *tls_current_;
  }
  static Loop* current_or_null() noexcept { return tls_current_; }

  // Runs task as the root task until it finishes; returns its value or rethrows its exception.
  // The root context is cancelled by cancel_root(). Throws std::logic_error when the task waits
  // for something that can never happen (nothing ready, no timer, no fd, no pending job).
  template <class T>
  T run(Task<T> task);

  // Cancels the root task's context, and so every task under it. Loop thread only.
  void cancel_root() noexcept;

  // Makes h runnable; it is resumed at the top of the loop with ctx as its context.
  void schedule(std::coroutine_handle<> h, CancelState* ctx) {
    if (ready_count_ > ready_mask_) grow_ready();
    ready_[(ready_head_ + ready_count_) & ready_mask_] = Ready{h, ctx};
    ++ready_count_;
  }

  // fd readiness. watch() throws std::system_error when epoll refuses the fd.
  IoHandle watch(int fd, std::uint32_t events, IoWatcher* watcher);
  void modify(IoHandle h, int fd, std::uint32_t events);
  // Tolerates an fd that is already closed (EBADF/ENOENT). Never throws.
  void unwatch(IoHandle h, int fd) noexcept;

  void add_timer(TimerNode* node, Clock::time_point deadline);
  void remove_timer(TimerNode* node) noexcept;

  // Runs fn on the loop thread soon. Callable from any thread; fn must not throw.
  void post(std::function<void()> fn);

  // Keeps run() from reporting a deadlock while something outside the loop's sight (a pool
  // job, a transfer in a resolver thread) will still wake a coroutine.
  void hold() noexcept { ++holds_; }
  void release() noexcept { --holds_; }

  Clock::time_point now() const noexcept { return Clock::now(); }

 private:
  struct Ready {
    std::coroutine_handle<> handle;
    CancelState* context;
  };
  struct Slot {
    IoWatcher* watcher = nullptr;
    std::uint32_t generation = 1;
  };

  [[noreturn]] static void no_loop();
  void grow_ready();
  void run_until(const bool& done);
  void run_ready(std::size_t budget);
  void poll(bool block);
  void fire_timers();
  void drain_posted();
  int next_timeout_ms() const;

  void heap_up(std::size_t i) noexcept;
  void heap_down(std::size_t i) noexcept;
  void heap_swap(std::size_t a, std::size_t b) noexcept;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<Ready> ready_;  // ring buffer, capacity a power of two
  std::size_t ready_mask_ = 0;
  std::size_t ready_head_ = 0;
  std::size_t ready_count_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t watched_ = 0;
  std::vector<TimerNode*> heap_;
  std::vector<TimerNode*> expired_;
  std::vector<epoll_event> events_;
  std::size_t holds_ = 0;
  CancelState* root_context_ = nullptr;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> posted_swap_;
  std::atomic<bool> wake_pending_{false};

  static inline thread_local Loop* tls_current_ = nullptr;
};

template <class T>
T Loop::run(Task<T> task) {
  CancelState root;
  bool done = false;
  auto h = task.handle();
  auto& p = h.promise();
  p.context = &root;
  p.parent_context = nullptr;
  p.on_done = [](void* flag) { *static_cast<bool*>(flag) = true; };
  p.on_done_arg = &done;
  root_context_ = &root;
  schedule(h, &root);
  try {
    run_until(done);
  } catch (...) {
    root_context_ = nullptr;
    throw;
  }
  root_context_ = nullptr;
  return task.take_result();
}

// Runs task on a fresh loop owned by this call.
template <class T>
T run(Task<T> task) {
  Loop loop;
  return loop.run(std::move(task));
}

}  // namespace acrawl::rt
