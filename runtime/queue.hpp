#pragma once
// Queue<T>: a bounded FIFO between coroutines (loop thread only).
//
// push waits while the queue is full (backpressure), pop waits while it is empty. close()
// refuses further pushes (waiting producers get QueueClosed) and lets consumers drain what is
// left, after which pop returns nullopt. Items pass directly to a waiting consumer, and from a
// waiting producer into the freed space. A cancelled push leaves the item with the caller; a
// cancelled pop takes nothing.

#include <coroutine>
#include <cstddef>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>

#include "runtime/cancel.hpp"
#include "runtime/detail/ring.hpp"
#include "runtime/detail/wait_list.hpp"
#include "runtime/loop.hpp"

namespace acrawl::rt {

class QueueClosed : public std::runtime_error {
 public:
  QueueClosed() : std::runtime_error("queue is closed") {}
};

template <class T>
class Queue {
 public:
  class PushAwaiter;
  class PopAwaiter;

  // capacity 0 is treated as 1.
  explicit Queue(std::size_t capacity)
      : capacity_(capacity == 0 ? 1 : capacity), items_(capacity_) {}
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // co_await push(item): appends item (moving from it), waiting while the queue is full.
  // Throws QueueClosed if the queue is or becomes closed, and Cancelled if the context is or
  // becomes cancelled; in both cases item is left untouched with the caller.
  PushAwaiter push(T& item) noexcept { return PushAwaiter(this, &item); }
  // Appends without waiting; false (item untouched) when full or closed.
  bool try_push(T& item);

  // co_await pop() -> std::optional<T>: the oldest item, waiting while empty; nullopt once the
  // queue is closed and drained. Throws Cancelled if the context is or becomes cancelled before
  // an item was taken.
  PopAwaiter pop() noexcept { return PopAwaiter(this); }
  std::optional<T> try_pop();

  // Refuses further pushes; consumers drain the rest, then see nullopt. Idempotent.
  void close();

  std::size_t size() const noexcept { return items_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }
  bool closed() const noexcept { return closed_; }

  // The waiting half of an awaiter: built only when it has to wait, so the fast path (space or
  // an item available) costs no more than the ring operation itself.
  struct Waiting {
    std::coroutine_handle<> handle;
    CancelState* context;
    CancelRegistration reg;
  };

  class PushAwaiter {
   public:
    PushAwaiter(Queue* q, T* item) noexcept : q_(q), item_(item) {}
    PushAwaiter(const PushAwaiter&) = delete;
    PushAwaiter& operator=(const PushAwaiter&) = delete;
    ~PushAwaiter() {
      if (waiting_ != nullptr) {
        q_->producers_.remove(this);
        waiting_->~Waiting();
      }
    }

    bool await_ready() {
      if (detail::cancel_requested()) return false;
      if (q_->closed_) {
        outcome_ = Outcome::closed;
        return true;
      }
      return q_->try_push(*item_);
    }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      if (detail::cancel_requested()) {
        outcome_ = Outcome::cancelled;
        return false;
      }
      waiting_ = ::new (static_cast<void*>(storage_)) Waiting{h, detail::current_context, {}};
      q_->producers_.push_back(this);
      waiting_->reg.attach(waiting_->context, &PushAwaiter::on_cancel, this);
      return true;
    }
    void await_resume() {
      if (waiting_ != nullptr) waiting_->reg.reset();
      if (outcome_ == Outcome::cancelled) throw Cancelled{};
      if (outcome_ == Outcome::closed) throw QueueClosed();
    }

   private:
    friend class Queue;
    friend struct detail::WaitList<PushAwaiter>;
    enum class Outcome : unsigned char { ok, cancelled, closed };
    static void on_cancel(void* p) noexcept {
      auto* a = static_cast<PushAwaiter*>(p);
      a->q_->producers_.remove(a);
      a->outcome_ = Outcome::cancelled;
      Loop::current().schedule(a->waiting_->handle, a->waiting_->context);
    }
    void wake() {
      waiting_->reg.reset();
      Loop::current().schedule(waiting_->handle, waiting_->context);
    }

    Queue* q_;
    T* item_;
    Waiting* waiting_ = nullptr;
    PushAwaiter* prev_;
    PushAwaiter* next_;
    bool linked_ = false;
    Outcome outcome_ = Outcome::ok;
    alignas(Waiting) unsigned char storage_[sizeof(Waiting)];
  };

  class PopAwaiter {
   public:
    explicit PopAwaiter(Queue* q) noexcept : q_(q) {}
    PopAwaiter(const PopAwaiter&) = delete;
    PopAwaiter& operator=(const PopAwaiter&) = delete;
    ~PopAwaiter() {
      if (waiting_ != nullptr) {
        q_->consumers_.remove(this);
        waiting_->~Waiting();
      }
    }

    bool await_ready() {
      if (detail::cancel_requested()) return false;
      if (!q_->items_.empty()) {
        slot_.emplace(q_->take_front());
        return true;
      }
      return q_->closed_;
    }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      if (detail::cancel_requested()) {
        cancelled_ = true;
        return false;
      }
      waiting_ = ::new (static_cast<void*>(storage_)) Waiting{h, detail::current_context, {}};
      q_->consumers_.push_back(this);
      waiting_->reg.attach(waiting_->context, &PopAwaiter::on_cancel, this);
      return true;
    }
    // An item handed over before a cancellation arrived is returned, not lost.
    std::optional<T> await_resume() {
      if (waiting_ != nullptr) waiting_->reg.reset();
      if (cancelled_) throw Cancelled{};
      return std::move(slot_);
    }

   private:
    friend class Queue;
    friend struct detail::WaitList<PopAwaiter>;
    static void on_cancel(void* p) noexcept {
      auto* a = static_cast<PopAwaiter*>(p);
      a->q_->consumers_.remove(a);
      a->cancelled_ = true;
      Loop::current().schedule(a->waiting_->handle, a->waiting_->context);
    }
    void wake() {
      waiting_->reg.reset();
      Loop::current().schedule(waiting_->handle, waiting_->context);
    }

    Queue* q_;
    std::optional<T> slot_;
    Waiting* waiting_ = nullptr;
    PopAwaiter* prev_;
    PopAwaiter* next_;
    bool linked_ = false;
    bool cancelled_ = false;
    alignas(Waiting) unsigned char storage_[sizeof(Waiting)];
  };

 private:
  // Removes the oldest item and refills from the longest-waiting producer.
  T take_front() {
    T item = items_.pop_front();
    if (PushAwaiter* p = producers_.pop_front()) {
      items_.push_back(std::move(*p->item_));
      p->wake();
    }
    return item;
  }

  std::size_t capacity_;
  bool closed_ = false;
  detail::Ring<T> items_;
  detail::WaitList<PushAwaiter> producers_;
  detail::WaitList<PopAwaiter> consumers_;
};

template <class T>
bool Queue<T>::try_push(T& item) {
  if (closed_) return false;
  if (PopAwaiter* c = consumers_.pop_front()) {
    c->slot_.emplace(std::move(item));
    c->wake();
    return true;
  }
  if (items_.size() >= capacity_) return false;
  items_.push_back(std::move(item));
  return true;
}

template <class T>
std::optional<T> Queue<T>::try_pop() {
  if (items_.empty()) return std::nullopt;
  return take_front();
}

template <class T>
void Queue<T>::close() {
  if (closed_) return;
  closed_ = true;
  while (PushAwaiter* p = producers_.pop_front()) {
    p->outcome_ = PushAwaiter::Outcome::closed;
    p->wake();
  }
  // Consumers wait only when the queue is empty: they see the end now.
  while (PopAwaiter* c = consumers_.pop_front()) c->wake();
}

}  // namespace acrawl::rt
