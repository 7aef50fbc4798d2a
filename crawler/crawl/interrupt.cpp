#include "crawler/crawl/interrupt.hpp"

#include <unistd.h>

namespace acrawl::crawler {

namespace {
std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  if (g_interrupted.exchange(true)) _exit(130);  // the second signal: stop now
  static const char kMsg[] = "\nacrawl: interrupted: finishing (again to quit at once)\n";
  ssize_t r = ::write(2, kMsg, sizeof kMsg - 1);
  (void)r;
}
}  // namespace

InterruptFlag::InterruptFlag() {
  g_interrupted = false;
  struct sigaction sa {};
  sa.sa_handler = &on_signal;
  sa.sa_flags = SA_RESTART;  // other threads' reads must not fail with EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptFlag::~InterruptFlag() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

const std::atomic<bool>& InterruptFlag::flag() const noexcept {
  return g_interrupted;
}

}  // namespace acrawl::crawler
