#include "crawler/output/progress.hpp"

#include <pthread.h>

#include <csignal>
#include <cstdio>

namespace acrawl::crawler {

ProgressLine::ProgressLine(const LiveCounters& counters, bool enabled,
                           std::chrono::milliseconds period)
    : counters_(counters), period_(period), start_(std::chrono::steady_clock::now()) {
  if (!enabled) return;
  // Start the thread with every signal blocked: signals belong to the crawl's own handling.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

void ProgressLine::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    draw(secs > 0 ? static_cast<double>(counters_.done.load()) / secs : 0.0);
  }
}

void ProgressLine::draw(double rate) {
  // \r and erase-to-end: the line rewrites itself in place.
  std::fprintf(stderr, "\r\033[K%zu done, %zu in flight, %zu queued, %.0f pages/s, %zu errors",
               counters_.done.load(), counters_.in_flight.load(), counters_.queued.load(), rate,
               counters_.failed.load());
  std::fflush(stderr);
}

}  // namespace acrawl::crawler
