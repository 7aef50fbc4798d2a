#pragma once
// ProgressLine: one self-updating status line on standard error while a crawl runs (done, in
// flight, queued, pages/s, errors), from its own thread. Silent unless enabled (the CLI enables
// it when stderr is a terminal and --no-progress is not given).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crawler/output/output.hpp"

namespace acrawl::crawler {

class ProgressLine {
 public:
  // Starts updating every `period` when enabled. Never throws but std::system_error (thread).
  ProgressLine(const LiveCounters& counters, bool enabled,
               std::chrono::milliseconds period = std::chrono::milliseconds(250));
  // Stops and erases the line.
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void run();
  void draw(double rate);

  const LiveCounters& counters_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace acrawl::crawler
