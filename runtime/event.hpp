#pragma once
// Event: a flag coroutines can wait for (loop thread only). set() wakes every waiter.

#include <coroutine>

#include "runtime/cancel.hpp"
#include "runtime/detail/wait_list.hpp"
#include "runtime/loop.hpp"

namespace acrawl::rt {

class Event {
 public:
  class WaitAwaiter {
   public:
    explicit WaitAwaiter(Event* e) noexcept : e_(e) {}
    WaitAwaiter(const WaitAwaiter&) = delete;
    WaitAwaiter& operator=(const WaitAwaiter&) = delete;
    ~WaitAwaiter() { unlink(); }

    bool await_ready() const noexcept { return e_->set_ && !detail::cancel_requested(); }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      context_ = detail::current_context;
      if (detail::cancel_requested()) {
        cancelled_ = true;
        return false;
      }
      if (e_->set_) return false;
      handle_ = h;
      e_->waiters_.push_back(this);
      reg_.attach(context_, &WaitAwaiter::on_cancel, this);
      return true;
    }
    void await_resume() {
      reg_.reset();
      if (cancelled_) throw Cancelled{};
    }

   private:
    friend class Event;
    friend struct detail::WaitList<WaitAwaiter>;
    void unlink() noexcept { e_->waiters_.remove(this); }
    static void on_cancel(void* p) noexcept {
      auto* w = static_cast<WaitAwaiter*>(p);
      w->unlink();
      w->cancelled_ = true;
      Loop::current().schedule(w->handle_, w->context_);
    }

    Event* e_;
    std::coroutine_handle<> handle_;
    CancelState* context_ = nullptr;
    CancelRegistration reg_;
    WaitAwaiter* prev_ = nullptr;
    WaitAwaiter* next_ = nullptr;
    bool linked_ = false;
    bool cancelled_ = false;
  };

  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Sets the flag and wakes every waiter. Idempotent. Never throws but bad_alloc.
  void set() {
    set_ = true;
    Loop& loop = Loop::current();
    while (WaitAwaiter* w = waiters_.pop_front()) {
      w->reg_.reset();
      loop.schedule(w->handle_, w->context_);
    }
  }
  void clear() noexcept { set_ = false; }
  bool is_set() const noexcept { return set_; }
  // co_await wait(): returns once the flag is set. A cancellation point (throws Cancelled in a
  // cancelled context, and wakes at once when cancelled while waiting).
  WaitAwaiter wait() noexcept { return WaitAwaiter(this); }

 private:
  bool set_ = false;
  detail::WaitList<WaitAwaiter> waiters_;
};

}  // namespace acrawl::rt
