#pragma once
// Interrupt: SIGINT and SIGTERM for a whole crawl, in every mode, from before its first thread
// starts until its last record is written. The constructor blocks both signals in the calling
// thread, so that every thread started later inherits the mask, and a thread of its own takes
// them from a signalfd (rt::SignalSet on a loop of its own): no code runs in a signal handler.
// The first signal raises the flag and runs the on_first callbacks (stop starting work, cancel
// what is in flight, stop reading input); the second runs the on_second callbacks (write out
// the records produced so far) and exits with status 130 at once.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace acrawl::crawler {

class Interrupt {
 public:
  static constexpr int kExitStatus = 130;

  // Throws std::system_error when the signals cannot be blocked or the thread cannot start.
  Interrupt();
  // Stops the thread, takes any signal still pending (it counts as raised) and restores the
  // signal mask. Never throws.
  ~Interrupt();
  Interrupt(const Interrupt&) = delete;
  Interrupt& operator=(const Interrupt&) = delete;

  bool raised() const noexcept { return flag().load(std::memory_order_relaxed); }
  // For code that polls: a transfer's progress callback, a worker between pages.
  const std::atomic<bool>& flag() const noexcept;

  // A registered callback; unregistered when destroyed (waiting for a call under way to end).
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    ~Subscription();

    struct State;  // shared by the Interrupt, its thread and its subscriptions (interrupt.cpp)

   private:
    friend class Interrupt;
    Subscription(std::shared_ptr<State> state, std::uint64_t id) noexcept;
    std::shared_ptr<State> state_;
    std::uint64_t id_ = 0;
  };

  // fn runs on the signal thread at the first signal, or at once on the calling thread if it
  // came already. It must be quick, not throw, and not subscribe or unsubscribe.
  [[nodiscard]] Subscription on_first(std::function<void()> fn);
  // fn runs on the signal thread at the second signal, just before the process exits.
  [[nodiscard]] Subscription on_second(std::function<void()> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acrawl::crawler
