#pragma once
// Time: sleep_for, sleep_until, yield and with_timeout.

#include <chrono>
#include <coroutine>
#include <stdexcept>

#include "runtime/cancel.hpp"
#include "runtime/loop.hpp"
#include "runtime/task.hpp"

namespace acrawl::rt {

// Thrown by with_timeout when the deadline passed before the awaited work finished.
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("operation timed out") {}
};

namespace detail {

class SleepAwaiter final : public TimerNode {
 public:
  explicit SleepAwaiter(Clock::time_point deadline) noexcept : deadline_at_(deadline) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  SleepAwaiter& operator=(const SleepAwaiter&) = delete;
  ~SleepAwaiter() {
    if (loop_ != nullptr) loop_->remove_timer(this);
  }

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    context_ = current_context;
    if (cancel_requested()) {
      cancelled_ = true;
      return false;
    }
    handle_ = h;
    loop_ = &Loop::current();
    if (deadline_at_ <= Clock::time_point{}) {
      loop_->schedule(h, context_);  // a zero sleep is a yield
      loop_ = nullptr;
      return true;
    }
    loop_->add_timer(this, deadline_at_);
    reg_.attach(context_, &SleepAwaiter::on_cancel, this);
    return true;
  }
  void await_resume() {
    if (cancelled_) throw Cancelled{};
  }

 private:
  void on_timer() noexcept override {
    reg_.reset();
    loop_->schedule(handle_, context_);
  }
  static void on_cancel(void* p) noexcept {
    auto* self = static_cast<SleepAwaiter*>(p);
    self->loop_->remove_timer(self);
    self->cancelled_ = true;
    self->loop_->schedule(self->handle_, self->context_);
  }

  Clock::time_point deadline_at_;
  std::coroutine_handle<> handle_;
  CancelState* context_ = nullptr;
  Loop* loop_ = nullptr;
  CancelRegistration reg_;
  bool cancelled_ = false;
};

}  // namespace detail

// Suspends until deadline. Cancellable: throws Cancelled at once when the context is (or
// becomes) cancelled. A deadline in the past still yields once.
inline detail::SleepAwaiter sleep_until(Clock::time_point deadline) noexcept {
  return detail::SleepAwaiter(deadline <= Clock::now() ? Clock::time_point{} : deadline);
}

// Suspends for d. Cancellable, like sleep_until. sleep_for(0) is yield().
template <class Rep, class Period>
detail::SleepAwaiter sleep_for(std::chrono::duration<Rep, Period> d) noexcept {
  if (d <= std::chrono::duration<Rep, Period>::zero()) return detail::SleepAwaiter({});
  return detail::SleepAwaiter(Clock::now() + std::chrono::ceil<Clock::duration>(d));
}

namespace detail {
class YieldAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (cancel_requested()) {
      cancelled_ = true;
      return false;
    }
    Loop::current().schedule(h, current_context);
    return true;
  }
  void await_resume() const {
    if (cancelled_) throw Cancelled{};
  }

 private:
  bool cancelled_ = false;
};
}  // namespace detail

// Lets every other ready coroutine run once, then continues (asyncio's `await sleep(0)`).
// A cancellation point: throws Cancelled in a cancelled context.
inline detail::YieldAwaiter yield() noexcept {
  return {};
}

namespace detail {

// Cancels a state when a deadline passes; disarmed when destroyed.
class DeadlineCanceller final : public TimerNode {
 public:
  DeadlineCanceller(CancelState* state, Clock::time_point deadline)
      : state_(state), loop_(Loop::current()) {
    loop_.add_timer(this, deadline);
  }
  ~DeadlineCanceller() { loop_.remove_timer(this); }
  DeadlineCanceller(const DeadlineCanceller&) = delete;
  DeadlineCanceller& operator=(const DeadlineCanceller&) = delete;
  bool fired() const noexcept { return fired_; }

 private:
  void on_timer() noexcept override {
    fired_ = true;
    state_->cancel();
  }
  CancelState* state_;
  Loop& loop_;
  bool fired_ = false;
};

// Awaits task with `state` as its context and a deadline that cancels `state`; a cancellation
// caused by the deadline becomes TimeoutError, unless the awaiter itself is cancelled and
// `awaiter_wins` says that takes precedence.
template <class T>
Task<T> await_with_deadline(Task<T> task, CancelState* state, Clock::time_point deadline,
                            bool awaiter_wins) {
  task.handle().promise().context = state;
  DeadlineCanceller timer(state, deadline);
  try {
    co_return co_await std::move(task);
  } catch (const Cancelled&) {
    if (timer.fired() && !(awaiter_wins && cancel_requested())) throw TimeoutError();
    throw;
  }
}

template <class Rep, class Period>
Clock::time_point deadline_after(std::chrono::duration<Rep, Period> d) {
  return Clock::now() + std::chrono::ceil<Clock::duration>(d);
}

}  // namespace detail

// Runs task with a deadline: when d passes first, the task is cancelled, awaited until it has
// unwound, and TimeoutError is thrown. When the caller is cancelled, Cancelled propagates as
// usual. Otherwise returns the task's value or rethrows its exception.
template <class T, class Rep, class Period>
Task<T> with_timeout(Task<T> task, std::chrono::duration<Rep, Period> d) {
  ChildCancelState inner(detail::current_context);
  co_return co_await detail::await_with_deadline(std::move(task), &inner, detail::deadline_after(d),
                                                 true);
}

// Runs task shielded from the caller's cancellation, for bounded cleanup that must finish
// (flushing output, closing a connection politely). The task's own awaits are not cancelled
// when the caller is; bound it with shield_for. Returns the task's value or rethrows.
template <class T>
Task<T> shield(Task<T> task) {
  CancelState isolated;
  task.handle().promise().context = &isolated;
  co_return co_await std::move(task);
}

// shield with its own deadline: after d the shielded task is cancelled, awaited, and
// TimeoutError is thrown.
template <class T, class Rep, class Period>
Task<T> shield_for(Task<T> task, std::chrono::duration<Rep, Period> d) {
  CancelState isolated;
  co_return co_await detail::await_with_deadline(std::move(task), &isolated,
                                                 detail::deadline_after(d), false);
}

}  // namespace acrawl::rt
