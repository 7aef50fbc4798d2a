#pragma once
// RecordWriter: records on their way to the sinks, through a bounded buffer that a thread of its
// own drains, so that a slow reader of the output never stalls the crawl. The crawl asks
// has_room() before it starts a transfer: when the buffer is full it starts none, and the
// transfers in flight finish into the buffer (which may exceed its capacity by what was in
// flight). A pipe or a terminal gets each batch of records as soon as it is written.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "crawler/output/record.hpp"
#include "crawler/output/sink.hpp"

namespace acrawl::crawler {

class RecordWriter {
 public:
  // Besides the record count, the buffer is full at this many bytes of records (--links
  // records carry whole link lists).
  static constexpr std::size_t kMaxPendingBytes = 16 << 20;

  // Starts the writer thread (std::system_error when it cannot). links (optional): a second
  // sink that gets every record too (--links-file). The sinks must outlive this.
  RecordWriter(RecordSink& records, RecordSink* links, std::size_t capacity);
  // Stops the thread; records not yet written are dropped (close() writes them). Never throws.
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Queues a record; never waits. Thread-safe. Throws the sinks' error (OutputError) once
  // a write has failed, and std::bad_alloc.
  void push(PageRecord rec);

  // False while the records not yet written fill the capacity (or kMaxPendingBytes).
  // Thread-safe. Throws the sinks'
  // error once a write has failed (so a crawl waiting for room learns of it).
  bool has_room();

  // fn runs on the writer thread whenever room comes back after has_room() said false (and when
  // a write fails). It must be thread-safe, quick and not throw, and must not call into this
  // writer. Setting another (or an empty one) waits for a call under way to return, so after
  // on_room({}) fn is never called again.
  void on_room(std::function<void()> fn);

  // Calls the on_room function now, from the calling thread. Never throws.
  void wake() noexcept { announce_room(); }

  // Writes every queued record, flushes the sinks and stops the thread. Throws the sinks' error.
  void close();

  // The second Ctrl-C: writes what is queued now from the calling thread (after the batch the
  // writer thread may be writing, waiting at most `patience` for it) and flushes. Never throws;
  // the process is about to exit: the writer thread takes nothing after this.
  void write_out_now(std::chrono::milliseconds patience) noexcept;

  // Records written so far (for tests and the progress line).
  std::size_t written() const noexcept { return written_.load(std::memory_order_relaxed); }

 private:
  void run() noexcept;
  void write_batch(std::vector<PageRecord>& batch);
  void rethrow_if_failed();
  void announce_room() noexcept;

  RecordSink& records_;
  RecordSink* links_;
  const std::size_t capacity_;
  const bool live_;  // flush after every batch (a pipe or a terminal)

  std::mutex mutex_;  // everything below but the atomics
  std::condition_variable wake_;
  std::vector<PageRecord> queue_;
  std::size_t pending_ = 0;        // queued + being written
  std::size_t pending_bytes_ = 0;  // their weight
  bool starved_ = false;           // has_room() said false since room was last announced
  bool closing_ = false;
  bool writer_waiting_ = false;
  std::exception_ptr error_;
  std::atomic<bool> failed_{false};
  std::mutex callback_mutex_;  // on_room_, and every call of it
  std::function<void()> on_room_;
  bool writing_ = false;  // someone (the thread, or write_out_now) is writing records it took
  std::condition_variable written_batch_;  // writing_ became false
  std::atomic<std::size_t> written_{0};
  std::thread thread_;
};

}  // namespace acrawl::crawler
