#pragma once
// Semaphore: FIFO-fair counting semaphore with RAII permits (loop thread only).
//
// release() hands the permit directly to the longest waiter. A waiter that was handed a permit
// but is cancelled before it runs passes the permit on to the next waiter, so no permit is
// ever lost to cancellation.

#include <coroutine>
#include <cstddef>
#include <utility>

#include "runtime/cancel.hpp"
#include "runtime/detail/wait_list.hpp"
#include "runtime/loop.hpp"

namespace acrawl::rt {

class Semaphore {
 public:
  // Owns one unit of the semaphore; releases it when destroyed. Move-only.
  class Permit {
   public:
    Permit() = default;
    explicit Permit(Semaphore* s) noexcept : s_(s) {}
    Permit(Permit&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        release();
        s_ = std::exchange(o.s_, nullptr);
      }
      return *this;
    }
    ~Permit() { release(); }
    void release() noexcept {
      if (s_ != nullptr) std::exchange(s_, nullptr)->release_one();
    }
    explicit operator bool() const noexcept { return s_ != nullptr; }

   private:
    Semaphore* s_ = nullptr;
  };

  class AcquireAwaiter {
   public:
    explicit AcquireAwaiter(Semaphore* s) noexcept : s_(s) {}
    AcquireAwaiter(const AcquireAwaiter&) = delete;
    AcquireAwaiter& operator=(const AcquireAwaiter&) = delete;
    ~AcquireAwaiter() {
      s_->unlink(this);
      if (granted_) s_->release_one();  // granted but never resumed (frame destroyed)
    }

    bool await_ready() noexcept;
    bool await_suspend(std::coroutine_handle<> h) noexcept;
    Permit await_resume();

   private:
    friend class Semaphore;
    friend struct detail::WaitList<AcquireAwaiter>;
    static void on_cancel(void* self) noexcept;

    Semaphore* s_;
    std::coroutine_handle<> handle_;
    CancelState* context_ = nullptr;
    CancelRegistration reg_;
    AcquireAwaiter* prev_ = nullptr;
    AcquireAwaiter* next_ = nullptr;
    bool linked_ = false;
    bool granted_ = false;
    bool cancelled_ = false;
  };

  explicit Semaphore(std::size_t permits) noexcept : available_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // co_await acquire() -> Permit. Waits FIFO behind earlier waiters. A cancellation point:
  // throws Cancelled if the context is cancelled on entry or while waiting (no permit is
  // taken then).
  AcquireAwaiter acquire() noexcept { return AcquireAwaiter(this); }
  // A permit if one is free and nobody waits; an empty Permit otherwise. Never throws.
  Permit try_acquire() noexcept;

  std::size_t available() const noexcept { return available_; }
  std::size_t waiting() const noexcept { return waiting_; }

 private:
  void release_one() noexcept;
  void unlink(AcquireAwaiter* w) noexcept;

  std::size_t available_;
  std::size_t waiting_ = 0;
  detail::WaitList<AcquireAwaiter> waiters_;
};

inline Semaphore::Permit Semaphore::try_acquire() noexcept {
  if (available_ == 0 || !waiters_.empty()) return Permit();
  --available_;
  return Permit(this);
}

inline bool Semaphore::AcquireAwaiter::await_ready() noexcept {
  if (detail::cancel_requested()) return false;
  if (s_->available_ > 0 && s_->waiters_.empty()) {
    --s_->available_;
    granted_ = true;
    return true;
  }
  return false;
}

inline bool Semaphore::AcquireAwaiter::await_suspend(std::coroutine_handle<> h) noexcept {
  context_ = detail::current_context;
  if (detail::cancel_requested()) {
    cancelled_ = true;
    return false;
  }
  handle_ = h;
  s_->waiters_.push_back(this);
  ++s_->waiting_;
  reg_.attach(context_, &AcquireAwaiter::on_cancel, this);
  return true;
}

inline Semaphore::Permit Semaphore::AcquireAwaiter::await_resume() {
  reg_.reset();
  if (cancelled_) throw Cancelled{};
  if (context_ != nullptr && context_->cancelled()) {
    // Handed a permit, then cancelled before running: pass it on.
    granted_ = false;
    s_->release_one();
    throw Cancelled{};
  }
  granted_ = false;
  return Permit(s_);
}

inline void Semaphore::AcquireAwaiter::on_cancel(void* self) noexcept {
  auto* a = static_cast<AcquireAwaiter*>(self);
  a->s_->unlink(a);
  a->cancelled_ = true;
  Loop::current().schedule(a->handle_, a->context_);
}

inline void Semaphore::unlink(AcquireAwaiter* w) noexcept {
  if (!w->linked_) return;
  waiters_.remove(w);
  --waiting_;
}

inline void Semaphore::release_one() noexcept {
  if (waiters_.empty()) {
    ++available_;
    return;
  }
  AcquireAwaiter* w = waiters_.head;
  unlink(w);
  w->reg_.reset();
  w->granted_ = true;
  Loop::current().schedule(w->handle_, w->context_);
}

}  // namespace acrawl::rt
