#pragma once
// Scope: a nursery. The only way to run tasks concurrently.
//
// A Scope is created inside a task and becomes a child of that task's cancellation context.
// spawn() starts a child task on the next loop turn and returns a JoinHandle. join() waits for
// every child, including children spawned while joining. The first child that fails (with
// anything but Cancelled) cancels all its siblings; join() rethrows that first error once all
// children are done. A scope into which anything was spawned must be joined before it is
// destroyed: destroying it unjoined is a bug and aborts with a message.

#include <cassert>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "runtime/cancel.hpp"
#include "runtime/loop.hpp"
#include "runtime/task.hpp"

namespace acrawl::rt {

class Scope;

// Thrown by JoinHandle when the task it names was cancelled before it produced a result.
class TaskCancelled : public std::runtime_error {
 public:
  TaskCancelled() : std::runtime_error("task was cancelled") {}
};

namespace detail {

// A coroutine waiting for something that happens once (a task finishing, a scope draining).
struct OnceWaiter {
  std::coroutine_handle<> handle;
  CancelState* context = nullptr;
  OnceWaiter* next = nullptr;
  OnceWaiter* prev = nullptr;
  bool linked = false;
};

class SpawnBase {
 public:
  // Not linked to the scope's state: the scope cancels its children by walking its list,
  // which saves a registration per child.
  SpawnBase(Scope* scope, bool start_cancelled) noexcept : scope_(scope) {
    if (start_cancelled) cancel_.cancel();
  }
  virtual ~SpawnBase() = default;
  SpawnBase(const SpawnBase&) = delete;
  SpawnBase& operator=(const SpawnBase&) = delete;

  void add_ref() noexcept { ++refs_; }
  void drop_ref() noexcept {
    if (--refs_ == 0) delete this;
  }
  bool done() const noexcept { return done_; }
  bool was_cancelled() const noexcept { return ended_by_cancel_; }
  void cancel() noexcept {
    if (!done_) cancel_.cancel();
  }
  // Called from the child's final suspend.
  static void on_task_done(void* self) noexcept;

  void add_waiter(OnceWaiter* w) noexcept;
  void remove_waiter(OnceWaiter* w) noexcept;

 protected:
  friend class rt::Scope;
  virtual PromiseBase& promise() noexcept = 0;
  virtual std::coroutine_handle<> coroutine() noexcept = 0;
  virtual void deliver() noexcept = 0;

  Scope* scope_;
  CancelState cancel_;
  int refs_ = 1;
  bool done_ = false;
  bool ended_by_cancel_ = false;
  OnceWaiter* waiters_ = nullptr;
  SpawnBase* prev_ = nullptr;  // scope's list of live children
  SpawnBase* next_ = nullptr;
};

template <class T>
class SpawnState final : public SpawnBase {
 public:
  SpawnState(Scope* scope, bool start_cancelled, Task<T> task) noexcept
      : SpawnBase(scope, start_cancelled), task_(std::move(task)) {}
  static void* operator new(std::size_t n) { return FrameAllocator::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FrameAllocator::deallocate(p, n); }
  Task<T>& task() noexcept { return task_; }
  // Where the value goes when the task succeeds (spawn_into); T's move must not throw.
  void set_sink(std::optional<T>* sink) noexcept { sink_ = sink; }

 private:
  PromiseBase& promise() noexcept override { return task_.handle().promise(); }
  std::coroutine_handle<> coroutine() noexcept override { return task_.handle(); }
  void deliver() noexcept override {
    if (sink_ != nullptr && !promise().error)
      sink_->emplace(std::move(*task_.handle().promise().value));
  }
  Task<T> task_;
  std::optional<T>* sink_ = nullptr;
};

template <>
class SpawnState<void> final : public SpawnBase {
 public:
  SpawnState(Scope* scope, bool start_cancelled, Task<void> task) noexcept
      : SpawnBase(scope, start_cancelled), task_(std::move(task)) {}
  static void* operator new(std::size_t n) { return FrameAllocator::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FrameAllocator::deallocate(p, n); }
  Task<void>& task() noexcept { return task_; }

 private:
  PromiseBase& promise() noexcept override { return task_.handle().promise(); }
  std::coroutine_handle<> coroutine() noexcept override { return task_.handle(); }
  void deliver() noexcept override {}
  Task<void> task_;
};

bool is_cancellation(const std::exception_ptr& e) noexcept;

}  // namespace detail

// A reference to a spawned task, like asyncio's Task. Copyable; does not own the task's
// lifetime (the scope does). Loop thread only.
template <class T>
class JoinHandle {
 public:
  JoinHandle() = default;
  explicit JoinHandle(detail::SpawnState<T>* s) noexcept : s_(s) { s_->add_ref(); }
  JoinHandle(const JoinHandle& o) noexcept : s_(o.s_) {
    if (s_) s_->add_ref();
  }
  JoinHandle(JoinHandle&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  JoinHandle& operator=(JoinHandle o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~JoinHandle() {
    if (s_) s_->drop_ref();
  }

  bool valid() const noexcept { return s_ != nullptr; }
  bool done() const noexcept { return s_->done(); }
  // True when the task ended by cancellation.
  bool cancelled() const noexcept { return s_->done() && s_->was_cancelled(); }
  // Requests cancellation of this task only (and its children). No effect once done. The task
  // sees Cancelled at its next cancellable await.
  void cancel() noexcept { s_->cancel(); }

  // The result of a finished task: its value, its exception rethrown, or TaskCancelled.
  // Throws std::logic_error when the task is not done yet. The value is moved out: call once.
  T result() {
    if (!s_->done()) throw std::logic_error("JoinHandle::result: task not finished");
    if (s_->was_cancelled()) throw TaskCancelled();
    return s_->task().take_result();
  }

  // Waits for the task, then behaves like result(). A cancellable await: if the awaiter is
  // cancelled while waiting it throws Cancelled (the task itself is not cancelled by that).
  auto operator co_await() noexcept {
    struct Awaiter {
      JoinHandle* self;
      detail::OnceWaiter waiter;
      CancelRegistration reg;
      bool cancelled = false;

      bool await_ready() noexcept { return self->s_->done() && !detail::cancel_requested(); }
      bool await_suspend(std::coroutine_handle<> h) noexcept {
        waiter.context = detail::current_context;
        if (detail::cancel_requested()) {
          cancelled = true;
          return false;
        }
        if (self->s_->done()) return false;
        waiter.handle = h;
        self->s_->add_waiter(&waiter);
        reg.attach(waiter.context, &Awaiter::on_cancel, this);
        return true;
      }
      static void on_cancel(void* p) noexcept {
        auto* a = static_cast<Awaiter*>(p);
        // The task's end already woke this awaiter (the same failure may be cancelling the
        // scope now): it must not be resumed twice.
        if (!a->waiter.linked) return;
        a->self->s_->remove_waiter(&a->waiter);
        a->cancelled = true;
        Loop::current().schedule(a->waiter.handle, a->waiter.context);
      }
      T await_resume() {
        reg.reset();
        if (cancelled) throw Cancelled{};
        return self->result();
      }
      ~Awaiter() { self->s_->remove_waiter(&waiter); }
    };
    return Awaiter{this, {}, {}, false};
  }

 private:
  detail::SpawnState<T>* s_ = nullptr;
};

class Scope {
 public:
  // A child of the current task's cancellation context (or a root scope outside any task).
  Scope() noexcept;
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // Starts task as a child on the next loop turn. Throws std::logic_error after join() has
  // completed. In a cancelled scope the child starts cancelled: its first cancellable await
  // throws Cancelled.
  template <class T>
  JoinHandle<T> spawn(Task<T> task);

  // Like spawn, without a handle: on success the task's value is moved into *sink (which must
  // outlive the task; T's move must not throw); its frame is freed as soon as it ends. For
  // fan-out of many tasks (gather), where keeping every finished task alive costs memory.
  template <class T>
  void spawn_into(Task<T> task, std::optional<T>* sink);
  void spawn_into(Task<void> task, std::nullptr_t = nullptr);

  // Waits until every child is done. Not abandoned on cancellation: when the awaiter's
  // context is cancelled the children are cancelled through the scope and join still waits
  // for them. Then rethrows the first child error; otherwise throws Cancelled if the
  // awaiter's context is cancelled; otherwise returns.
  auto join() noexcept {
    struct Awaiter {
      Scope* self;
      detail::OnceWaiter waiter;
      bool await_ready() noexcept { return self->active_ == 0; }
      void await_suspend(std::coroutine_handle<> h) noexcept {
        waiter.handle = h;
        waiter.context = detail::current_context;
        self->joiner_ = &waiter;
      }
      void await_resume() { self->finish_join(); }
    };
    joining_ = true;
    return Awaiter{this, {}};
  }

  // Cancels every child, present and future. join() then returns normally unless a child
  // failed with a real error. Idempotent.
  void cancel() noexcept { cancel_.cancel(); }
  bool cancelled() const noexcept { return cancel_.cancelled(); }
  std::size_t active() const noexcept { return active_; }
  CancelState* cancel_state() noexcept { return &cancel_; }

 private:
  friend class detail::SpawnBase;
  template <class T>
  detail::SpawnState<T>* start(Task<T> task);
  void child_done(detail::SpawnBase* child) noexcept;
  void finish_join();
  void link(detail::SpawnBase* child) noexcept;
  static void cancel_children(void* self) noexcept;

  ChildCancelState cancel_;
  CancelRegistration children_link_;
  detail::SpawnBase* children_ = nullptr;
  std::size_t active_ = 0;
  bool ever_spawned_ = false;
  bool joining_ = false;
  bool joined_ = false;
  detail::OnceWaiter* joiner_ = nullptr;
  std::exception_ptr first_error_;
};

template <class T>
detail::SpawnState<T>* Scope::start(Task<T> task) {
  if (joined_) throw std::logic_error("Scope::spawn after join completed");
  auto* state = new detail::SpawnState<T>(this, cancel_.cancelled(), std::move(task));
  auto& p = state->task().handle().promise();
  p.context = &state->cancel_;
  p.parent_context = nullptr;
  p.on_done = &detail::SpawnBase::on_task_done;
  p.on_done_arg = static_cast<detail::SpawnBase*>(state);
  link(state);  // the scope keeps the initial reference until the child ends
  Loop::current().schedule(state->task().handle(), &state->cancel_);
  return state;
}

template <class T>
JoinHandle<T> Scope::spawn(Task<T> task) {
  return JoinHandle<T>(start(std::move(task)));
}

template <class T>
void Scope::spawn_into(Task<T> task, std::optional<T>* sink) {
  start(std::move(task))->set_sink(sink);
}

inline void Scope::spawn_into(Task<void> task, std::nullptr_t) {
  start(std::move(task));
}

// Runs body(scope, args...) as the first child of a new scope, joins the scope and returns
// the body's result. Whatever the body or any child throws is rethrown only after every child
// is done, so the scope is always joined. body must be a function or a captureless callable.
template <class F, class... Args>
auto with_scope(F body, Args... args)
    -> Task<typename std::invoke_result_t<F, Scope&, Args...>::value_type> {
  using R = typename std::invoke_result_t<F, Scope&, Args...>::value_type;
  Scope scope;
  auto handle = scope.spawn(body(scope, std::move(args)...));
  co_await scope.join();
  if constexpr (std::is_void_v<R>) {
    // A body that cancelled its own scope ends quietly, like a Trio nursery.
    if (handle.cancelled() && scope.cancelled()) co_return;
  }
  co_return handle.result();
}

}  // namespace acrawl::rt
