#pragma once
// Task<T>: a lazy, owning coroutine that produces a T or an exception.
//
// A Task does nothing until it is awaited (or spawned into a Scope, or run by Loop::run).
// Awaiting a task runs it in the awaiter's cancellation context, like a function call.
// A task that completes synchronously hands control back through await_suspend returning
// false, and one that completes later resumes its awaiter by symmetric transfer; neither
// relies on the compiler turning symmetric transfer into a tail call (GCC does not at -O0),
// so a million synchronously completing awaits in a row do not grow the stack.
// Destroying a Task destroys its coroutine frame.

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "runtime/cancel.hpp"
#include "runtime/detail/frame_allocator.hpp"

namespace acrawl::rt {

template <class T = void>
class Task;

namespace detail {

struct PromiseBase {
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      PromiseBase& p = h.promise();
      current_context = p.parent_context;
      if (p.continuation) {
        if (p.phase == Phase::starting) {
          // The awaiter's await_suspend is still on the stack: it continues the awaiter.
          p.phase = Phase::completed_inline;
          return std::noop_coroutine();
        }
        return p.continuation;
      }
      if (p.on_done != nullptr) {
        // May destroy this frame: touch nothing of it afterwards.
        auto fn = p.on_done;
        void* arg = p.on_done_arg;
        fn(arg);
      }
      return std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };

  enum class Phase : unsigned char { idle, starting, completed_inline, suspended };

  static void* operator new(std::size_t n) { return FrameAllocator::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FrameAllocator::deallocate(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  std::coroutine_handle<> continuation;
  CancelState* context = nullptr;         // this task's cancellation context
  CancelState* parent_context = nullptr;  // restored when the task finishes
  void (*on_done)(void*) = nullptr;       // for tasks without an awaiter (spawned, root)
  void* on_done_arg = nullptr;
  std::exception_ptr error;
  Phase phase = Phase::idle;
};

template <class T>
struct Promise : PromiseBase {
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
  std::optional<T> value;
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle h) noexcept : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  bool valid() const noexcept { return static_cast<bool>(h_); }
  bool done() const noexcept { return h_ && h_.done(); }
  Handle handle() const noexcept { return h_; }
  // The finished task's value; rethrows its exception. Only after done().
  T take_result() { return h_.promise().take(); }

  // Awaiting starts the task in the awaiter's context and returns its value or rethrows its
  // exception. Not itself a cancellation point.
  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle h;
      bool await_ready() noexcept { return false; }
      bool await_suspend(std::coroutine_handle<> parent) noexcept {
        auto& p = h.promise();
        p.continuation = parent;
        p.parent_context = detail::current_context;
        if (p.context == nullptr) p.context = p.parent_context;
        detail::current_context = p.context;
        p.phase = detail::PromiseBase::Phase::starting;
        h.resume();
        detail::current_context = p.parent_context;
        if (p.phase == detail::PromiseBase::Phase::completed_inline) return false;
        p.phase = detail::PromiseBase::Phase::suspended;
        return true;
      }
      T await_resume() { return h.promise().take(); }
    };
    return Awaiter{h_};
  }

 private:
  void destroy() noexcept {
    if (h_) h_.destroy();
    h_ = {};
  }
  Handle h_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace acrawl::rt
