#pragma once
// Cancellation: a tree of CancelStates with callback registrations.
//
// Every task runs in a cancellation context (a CancelState). Cancelling a state cancels its
// children (never its parent) and synchronously runs every callback registered on it, in
// registration order. Suspending primitives register a callback that wakes their waiter at
// once; the waiter then throws Cancelled. Cancellation is level-triggered: once a context is
// cancelled, every later cancellable await in it throws again.
//
// Everything here is loop-thread only (no atomics).

namespace acrawl::rt {

// Thrown at a cancellable await of a cancelled context. Deliberately not derived from
// std::exception, so `catch (const std::exception&)` cannot swallow it.
struct Cancelled {};

class CancelState;

// One callback on one CancelState. Unregisters itself when destroyed or reset; runs at most once.
class CancelRegistration {
 public:
  using Callback = void (*)(void* arg);

  CancelRegistration() = default;
  ~CancelRegistration() { reset(); }
  CancelRegistration(const CancelRegistration&) = delete;
  CancelRegistration& operator=(const CancelRegistration&) = delete;

  // Registers fn(arg) on state. Returns false (and registers nothing) when state is null or
  // already cancelled: the caller handles that case itself. Never throws.
  bool attach(CancelState* state, Callback fn, void* arg) noexcept;
  // Unregisters if still registered. Never throws.
  void reset() noexcept {
    if (state_ != nullptr) unlink();
  }
  bool attached() const noexcept { return state_ != nullptr; }

 private:
  friend class CancelState;
  void unlink() noexcept;
  CancelState* state_ = nullptr;
  CancelRegistration* prev_ = nullptr;
  CancelRegistration* next_ = nullptr;
  Callback fn_ = nullptr;
  void* arg_ = nullptr;
};

class CancelState {
 public:
  CancelState() noexcept = default;
  ~CancelState();
  CancelState(const CancelState&) = delete;
  CancelState& operator=(const CancelState&) = delete;

  bool cancelled() const noexcept { return cancelled_; }
  // Idempotent. Runs the registered callbacks synchronously; they must not throw.
  void cancel() noexcept;
  void throw_if_cancelled() const {
    if (cancelled_) throw Cancelled{};
  }

 protected:
  static void cancel_callback(void* self) noexcept { static_cast<CancelState*>(self)->cancel(); }

 private:
  friend class CancelRegistration;
  bool cancelled_ = false;
  CancelRegistration* head_ = nullptr;
  CancelRegistration* tail_ = nullptr;
};

// A CancelState that is also cancelled when its parent is (at once, if the parent already is).
class ChildCancelState : public CancelState {
 public:
  explicit ChildCancelState(CancelState* parent) noexcept {
    if (parent != nullptr && !link_.attach(parent, &CancelState::cancel_callback, this) &&
        parent->cancelled()) {
      cancel();
    }
  }
  ~ChildCancelState() { link_.reset(); }

 private:
  CancelRegistration link_;
};

namespace detail {
// The cancellation context of the coroutine running on this thread right now. Maintained by
// the loop (set before every resume) and by Task's await/final-suspend (symmetric transfer).
inline thread_local CancelState* current_context = nullptr;

inline bool cancel_requested() noexcept {
  return current_context != nullptr && current_context->cancelled();
}
}  // namespace detail

// The running task's cancellation context (null outside any task).
inline CancelState* current_cancel_state() noexcept {
  return detail::current_context;
}

}  // namespace acrawl::rt
