#pragma once
// FanOut<T>: runs a vector of tasks as children of the awaiting task and collects one outcome
// per child, in order. The engine behind gather(vector) and gather_settled.
//
// Lighter than spawning into a Scope: the children share one cancellation state (they are only
// ever cancelled together), results land in a flat array as each child ends, and each child's
// frame is freed right then. Structured like a Scope: awaiting it always waits for every child.

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/cancel.hpp"
#include "runtime/loop.hpp"
#include "runtime/task.hpp"

namespace acrawl::rt::detail {

bool is_cancellation(const std::exception_ptr& e) noexcept;

template <class T>
class FanOut {
 public:
  using Slot = std::optional<std::conditional_t<std::is_void_v<T>, char, T>>;

  // fail_fast: the first real error cancels the other children (gather); otherwise every child
  // runs to its end and keeps its own error (gather_settled).
  FanOut(std::vector<Task<T>> tasks, bool fail_fast)
      : tasks_(std::move(tasks)),
        values_(tasks_.size()),
        errors_(tasks_.size()),
        entries_(tasks_.size()),
        fail_fast_(fail_fast),
        remaining_(tasks_.size()),
        group_(current_context) {}
  FanOut(const FanOut&) = delete;
  FanOut& operator=(const FanOut&) = delete;

  // co_await run(): starts every child (on the next loop turns) and waits until all have
  // ended. Never throws by itself; read the outcomes afterwards.
  auto run() noexcept {
    struct Awaiter {
      FanOut* self;
      bool await_ready() noexcept { return self->tasks_.empty(); }
      void await_suspend(std::coroutine_handle<> h) noexcept {
        self->waiter_ = h;
        self->waiter_context_ = current_context;
        self->start();
      }
      void await_resume() noexcept {}
    };
    return Awaiter{this};
  }

  // The first real error in time (fail_fast), or null.
  const std::exception_ptr& first_error() const noexcept { return first_error_; }
  Slot& value(std::size_t i) noexcept { return values_[i]; }
  std::exception_ptr& error(std::size_t i) noexcept { return errors_[i]; }
  std::size_t size() const noexcept { return values_.size(); }

 private:
  struct Entry {
    FanOut* group;
    std::size_t index;
  };

  void start() {
    Loop& loop = Loop::current();
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
      if (i + 4 < tasks_.size()) __builtin_prefetch(tasks_[i + 4].handle().address(), 1);
      entries_[i] = Entry{this, i};
      auto& p = tasks_[i].handle().promise();
      p.context = &group_;
      p.parent_context = nullptr;
      p.on_done = &FanOut::child_done;
      p.on_done_arg = &entries_[i];
      loop.schedule(tasks_[i].handle(), &group_);
    }
  }

  // Runs inside the child's final suspend: take the outcome, then free the frame.
  static void child_done(void* arg) noexcept {
    auto* entry = static_cast<Entry*>(arg);
    FanOut* self = entry->group;
    const std::size_t i = entry->index;
    auto& promise = self->tasks_[i].handle().promise();
    if (promise.error) {
      self->errors_[i] = promise.error;
      if (self->fail_fast_ && !self->first_error_ && !is_cancellation(promise.error)) {
        self->first_error_ = promise.error;
        self->group_.cancel();
      }
    } else if constexpr (std::is_void_v<T>) {
      self->values_[i].emplace();
    } else {
      self->values_[i].emplace(std::move(*promise.value));
    }
    self->tasks_[i] = Task<T>();  // destroys the finished frame
    if (--self->remaining_ == 0) Loop::current().schedule(self->waiter_, self->waiter_context_);
  }

  std::vector<Task<T>> tasks_;
  std::vector<Slot> values_;
  std::vector<std::exception_ptr> errors_;
  std::vector<Entry> entries_;
  bool fail_fast_;
  std::size_t remaining_;
  ChildCancelState group_;
  std::exception_ptr first_error_;
  std::coroutine_handle<> waiter_;
  CancelState* waiter_context_ = nullptr;
};

}  // namespace acrawl::rt::detail
