#pragma once
// InterruptFlag: SIGINT/SIGTERM for the blocking modes (threads, sync). The first signal sets
// the flag (workers stop taking URLs, transfers in progress are aborted through Fetch's stop
// flag); a second one exits at once with status 130. The async mode gets its signals through the
// loop instead (rt::SignalSet).

#include <atomic>
#include <csignal>

namespace acrawl::crawler {

class InterruptFlag {
 public:
  // Installs the handlers; the previous ones come back when this is destroyed. One at a time.
  InterruptFlag();
  ~InterruptFlag();
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;

  const std::atomic<bool>& flag() const noexcept;
  bool raised() const noexcept { return flag().load(std::memory_order_relaxed); }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace acrawl::crawler
