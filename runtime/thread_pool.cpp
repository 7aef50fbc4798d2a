#include "runtime/thread_pool.hpp"

namespace acrawl::rt {

ThreadPool::ThreadPool(std::size_t threads) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  for (detail::PoolJob* job : queue_) job->drop_ref();
}

void ThreadPool::submit(detail::PoolJob* job) {
  job->add_ref();  // the queue's reference, dropped by the worker (or the destructor)
  bool wake;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(job);
    wake = sleepers_ > 0;
  }
  if (wake) wake_.notify_one();  // busy workers need no futex call
}

void ThreadPool::work() noexcept {
  for (;;) {
    detail::PoolJob* job;
    {
      std::unique_lock lock(mutex_);
      ++sleepers_;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --sleepers_;
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
    }
    int expected = detail::PoolJob::pending;
    if (!job->state.compare_exchange_strong(expected, detail::PoolJob::running)) {
      job->drop_ref();  // cancelled before it started
      continue;
    }
    job->execute();
    job->state.store(detail::PoolJob::finished, std::memory_order_release);
    // The queue's reference travels with the completion to the loop thread.
    Loop* loop = job->loop;
    loop->post([job] { finish_on_loop(job); });
  }
}

void ThreadPool::finish_on_loop(detail::PoolJob* job) noexcept {
  if (!job->abandoned) {
    job->loop->release();
    job->loop->schedule(job->handle, job->context);
  }
  job->drop_ref();
}

}  // namespace acrawl::rt
