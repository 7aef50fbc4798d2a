#include "crawler/output/record_writer.hpp"

namespace acrawl::crawler {

namespace {
// About the memory a queued record holds: records with --links carry whole link lists.
std::size_t weight(const PageRecord& rec) noexcept {
  std::size_t bytes = sizeof rec + rec.url.size() + rec.final_url.size() + rec.content_type.size() +
                      rec.location.size() + (rec.title ? rec.title->size() : 0);
  if (rec.links) {
    for (const std::string& link : *rec.links) bytes += sizeof link + link.size();
  }
  return bytes;
}
}  // namespace

RecordWriter::RecordWriter(RecordSink& records, RecordSink* links, std::size_t capacity)
    : records_(records),
      links_(links),
      capacity_(capacity == 0 ? 1 : capacity),
      live_(records.live() || (links != nullptr && links->live())),
      thread_([this] { run(); }) {}

RecordWriter::~RecordWriter() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RecordWriter::rethrow_if_failed() {
  if (failed_.load(std::memory_order_acquire)) {
    std::lock_guard lock(mutex_);
    std::rethrow_exception(error_);
  }
}

void RecordWriter::push(PageRecord rec) {
  rethrow_if_failed();
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    pending_bytes_ += weight(rec);
    queue_.push_back(std::move(rec));
    ++pending_;
    wake = writer_waiting_;
    writer_waiting_ = false;
  }
  if (wake) wake_.notify_one();
}

bool RecordWriter::has_room() {
  rethrow_if_failed();
  std::lock_guard lock(mutex_);
  if (pending_ < capacity_ && pending_bytes_ < kMaxPendingBytes) return true;
  starved_ = true;
  return false;
}

void RecordWriter::on_room(std::function<void()> fn) {
  std::lock_guard lock(callback_mutex_);  // waits for a call under way
  on_room_ = std::move(fn);
}

void RecordWriter::announce_room() noexcept {
  std::lock_guard lock(callback_mutex_);
  if (on_room_) on_room_();
}

void RecordWriter::write_batch(std::vector<PageRecord>& batch) {
  for (const PageRecord& rec : batch) {
    records_.write(rec);
    if (links_ != nullptr) links_->write(rec);
    written_.fetch_add(1, std::memory_order_relaxed);
    bool announce = false;
    {
      std::lock_guard lock(mutex_);
      --pending_;
      pending_bytes_ -= weight(rec);
      // Room again at half the capacity, not at the first free slot: one wake-up per many
      // records.
      if (starved_ && pending_ <= capacity_ / 2 && pending_bytes_ <= kMaxPendingBytes / 2) {
        starved_ = false;
        announce = true;
      }
    }
    if (announce) announce_room();
  }
  if (live_) {
    records_.flush();
    if (links_ != nullptr) links_->flush();
  }
}

void RecordWriter::run() noexcept {
  std::vector<PageRecord> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // Records leave the queue only into the hands of whoever holds writing_, so
      // write_out_now() finds every record not yet written either in the queue or written.
      while (!closing_ && (queue_.empty() || writing_)) {
        writer_waiting_ = true;
        wake_.wait(lock);
      }
      // Closing, and everything written (or write_out_now took the rest).
      if (queue_.empty() || writing_) return;
      batch.swap(queue_);
      writing_ = true;
    }
    try {
      write_batch(batch);
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        failed_.store(true, std::memory_order_release);
        queue_.clear();
        pending_ = 0;
        pending_bytes_ = 0;
        writing_ = false;
      }
      written_batch_.notify_all();
      announce_room();  // a crawl waiting for room learns of the failure
      return;
    }
    batch.clear();
    {
      std::lock_guard lock(mutex_);
      writing_ = false;
    }
    written_batch_.notify_all();
  }
}

void RecordWriter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  rethrow_if_failed();
  records_.flush();
  if (links_ != nullptr) links_->flush();
}

void RecordWriter::write_out_now(std::chrono::milliseconds patience) noexcept {
  std::vector<PageRecord> batch;
  {
    std::unique_lock lock(mutex_);
    // The writer thread may be inside a write; wait for it (a stalled reader may keep it there:
    // then give up after patience, since nothing more could reach it anyway).
    if (!written_batch_.wait_for(lock, patience, [this] { return !writing_; })) return;
    writing_ = true;  // for good: the process exits next
    batch.swap(queue_);
  }
  try {
    for (const PageRecord& rec : batch) {
      records_.write(rec);
      if (links_ != nullptr) links_->write(rec);
    }
    records_.flush();
    if (links_ != nullptr) links_->flush();
  } catch (...) {
    // The process exits next; there is no one left to tell.
  }
}

}  // namespace acrawl::crawler
