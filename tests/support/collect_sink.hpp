#pragma once
// CollectSink: a RecordSink that keeps the records it is given, for tests; it can be made to
// block inside write() (a reader that stopped reading) until released, or to fail.

#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "crawler/output/sink.hpp"

namespace acrawl::test {

class CollectSink final : public crawler::RecordSink {
 public:
  void write(const crawler::PageRecord& rec) override {
    std::unique_lock lock(mutex_);
    ++writes_started_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !blocked_; });
    if (fail_) throw crawler::OutputError(ENOSPC, std::generic_category(), "cannot write output");
    records_.push_back(rec);
    changed_.notify_all();
  }
  void flush() override {}
  bool live() const noexcept override { return true; }

  // write() waits while blocked.
  void block() {
    std::lock_guard lock(mutex_);
    blocked_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    blocked_ = false;
    changed_.notify_all();
  }
  void fail() {
    std::lock_guard lock(mutex_);
    fail_ = true;
  }
  // Until write() has been entered n times (blocked or not).
  void wait_writes_started(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return writes_started_ >= n; });
  }
  std::vector<crawler::PageRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::vector<std::string> urls() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : records_) out.push_back(r.url);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<crawler::PageRecord> records_;
  std::size_t writes_started_ = 0;
  bool blocked_ = false;
  bool fail_ = false;
};

}  // namespace acrawl::test
