#pragma once
// ThreadPool: runs blocking or CPU-heavy functions on worker threads and resumes the awaiting
// coroutine on its loop thread with the value or the exception.
//
// The only cross-thread edge of the runtime: workers hand finished jobs back through
// Loop::post (one eventfd). Only values cross threads; whatever fn builds internally (a gumbo
// tree, say) must be destroyed inside fn.

#include <atomic>
#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/cancel.hpp"
#include "runtime/loop.hpp"

namespace acrawl::rt {

namespace detail {

class PoolJob {
 public:
  enum State : int { pending, running, finished, dropped };

  virtual ~PoolJob() = default;
  virtual void execute() noexcept = 0;  // worker thread

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void drop_ref() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  std::atomic<int> state{pending};
  // Loop-thread fields, owned by the awaiter.
  Loop* loop = nullptr;
  std::coroutine_handle<> handle;
  CancelState* context = nullptr;
  bool abandoned = false;         // the awaiter is gone: ignore the completion
  bool cancel_requested = false;  // cancelled while running: discard the result

 private:
  std::atomic<int> refs_{1};
};

template <class F>
class PoolJobFor final : public PoolJob {
 public:
  using R = std::invoke_result_t<F&>;
  explicit PoolJobFor(F fn) : fn_(std::move(fn)) {}
  void execute() noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        fn_();
      } else {
        value_.emplace(fn_());
      }
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  R take() {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<R>) return std::move(*value_);
  }

 private:
  F fn_;
  std::conditional_t<std::is_void_v<R>, char, std::optional<R>> value_{};
  std::exception_ptr error_;
};

}  // namespace detail

class ThreadPool {
 public:
  // Starts `threads` workers (at least one). Throws std::system_error if a thread cannot start.
  explicit ThreadPool(std::size_t threads);
  // Jobs not yet started are dropped; running jobs finish first. No coroutine may still be
  // awaiting a job of this pool (structured concurrency guarantees it).
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const noexcept { return workers_.size(); }

  template <class F>
  class RunAwaiter {
   public:
    using R = std::invoke_result_t<F&>;
    RunAwaiter(ThreadPool* pool, F fn)
        : pool_(pool), job_(new detail::PoolJobFor<F>(std::move(fn))) {}
    RunAwaiter(const RunAwaiter&) = delete;
    RunAwaiter& operator=(const RunAwaiter&) = delete;
    ~RunAwaiter() {
      if (submitted_ && !resumed_) {
        // Frame destroyed while waiting: keep a running job from touching it later.
        int expected = detail::PoolJob::pending;
        job_->state.compare_exchange_strong(expected, detail::PoolJob::dropped);
        job_->abandoned = true;
        job_->loop->release();
      }
      job_->drop_ref();
    }

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      job_->context = detail::current_context;
      if (detail::cancel_requested()) {
        cancelled_ = true;
        return false;
      }
      job_->handle = h;
      job_->loop = &Loop::current();
      job_->loop->hold();
      pool_->submit(job_);
      submitted_ = true;
      reg_.attach(job_->context, &RunAwaiter::on_cancel, this);
      return true;
    }
    R await_resume() {
      reg_.reset();
      resumed_ = true;
      if (cancelled_ || job_->cancel_requested) throw Cancelled{};
      return job_->take();
    }

   private:
    static void on_cancel(void* p) noexcept {
      auto* self = static_cast<RunAwaiter*>(p);
      int expected = detail::PoolJob::pending;
      if (self->job_->state.compare_exchange_strong(expected, detail::PoolJob::dropped)) {
        // Not started: it never will. Wake the awaiter now.
        self->cancelled_ = true;
        self->job_->abandoned = true;
        self->job_->loop->release();
        self->job_->loop->schedule(self->job_->handle, self->job_->context);
      } else {
        // Running: it cannot be interrupted; wait for it and discard its result.
        self->job_->cancel_requested = true;
      }
    }

    ThreadPool* pool_;
    detail::PoolJobFor<F>* job_;
    CancelRegistration reg_;
    bool submitted_ = false;
    bool resumed_ = false;
    bool cancelled_ = false;
  };

  // co_await run(fn) -> fn's value, or its exception rethrown, on the loop thread.
  // Cancellation: a job that has not started never runs and Cancelled is thrown at once; a
  // running job cannot be interrupted, so the awaiter resumes when it ends, its result is
  // discarded and Cancelled is thrown. fn must own what it uses (it may outlive a cancelled
  // await only until it finishes; the awaiter waits for that).
  template <class F>
  RunAwaiter<F> run(F fn) {
    return RunAwaiter<F>(this, std::move(fn));
  }

 private:
  void submit(detail::PoolJob* job);
  void work() noexcept;
  static void finish_on_loop(detail::PoolJob* job) noexcept;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<detail::PoolJob*> queue_;
  std::size_t sleepers_ = 0;  // workers waiting on wake_
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace acrawl::rt
