#pragma once
// SignalSet: POSIX signals delivered to the loop as awaitable events (signalfd).
//
// Construct it on the loop thread before starting other threads: the signals are blocked in
// the constructing thread, and threads started later inherit that mask, so the signals are only
// ever seen through the signalfd.

#include <csignal>
#include <initializer_list>
#include <memory>

#include "runtime/task.hpp"

namespace acrawl::rt {

namespace detail {
class SignalIo;
}

class SignalSet {
 public:
  // Blocks `signals` in this thread and watches them. Throws std::system_error.
  explicit SignalSet(std::initializer_list<int> signals);
  // Stops watching and restores the previous signal mask.
  ~SignalSet();
  SignalSet(const SignalSet&) = delete;
  SignalSet& operator=(const SignalSet&) = delete;

  // co_await next() -> the number of the next signal received (signals that arrived earlier
  // are queued). A cancellation point.
  Task<int> next();

 private:
  std::unique_ptr<detail::SignalIo> io_;
};

}  // namespace acrawl::rt
