#include "runtime/loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <stdexcept>
#include <system_error>

namespace acrawl::rt {

namespace {

// How many ready coroutines run between two looks at I/O and timers: large enough that a
// storm of yields costs no syscall each, small enough that I/O is never starved for long.
constexpr std::size_t kReadyBudget = 1024;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

Loop::Loop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(epoll_fd_);
    throw_errno("eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;  // slot 0 is the wake fd
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    ::close(wake_fd_);
    ::close(epoll_fd_);
    throw_errno("epoll_ctl(wake)");
  }
  slots_.resize(1);  // slot 0 reserved
  ready_.resize(1024);
  ready_mask_ = ready_.size() - 1;
  events_.resize(256);
  if (tls_current_ == nullptr) tls_current_ = this;
}

Loop::~Loop() {
  if (tls_current_ == this) tls_current_ = nullptr;
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void Loop::no_loop() {
  throw std::logic_error("acrawl::rt: no Loop on this thread");
}

void Loop::cancel_root() noexcept {
  if (root_context_ != nullptr) root_context_->cancel();
}

void Loop::grow_ready() {
  std::vector<Ready> bigger(ready_.size() * 2);
  for (std::size_t i = 0; i < ready_count_; ++i)
    bigger[i] = ready_[(ready_head_ + i) & ready_mask_];
  ready_.swap(bigger);
  ready_mask_ = ready_.size() - 1;
  ready_head_ = 0;
}

void Loop::run_ready(std::size_t budget) {
  while (ready_count_ > 0 && budget-- > 0) {
    Ready r = ready_[ready_head_];
    ready_head_ = (ready_head_ + 1) & ready_mask_;
    --ready_count_;
    // A long ready queue is a walk over cold frames: fetch the next one while this one runs.
    if (ready_count_ > 0) __builtin_prefetch(ready_[ready_head_].handle.address());
    detail::current_context = r.context;
    r.handle.resume();
  }
  detail::current_context = nullptr;
}

void Loop::run_until(const bool& done) {
  Loop* previous = tls_current_;
  tls_current_ = this;
  struct Restore {
    Loop*& slot;
    Loop* value;
    ~Restore() { slot = value; }
  } restore{tls_current_, previous == nullptr ? this : previous};

  while (!done) {
    run_ready(kReadyBudget);
    if (done) break;
    bool idle = ready_count_ == 0;
    if (idle && heap_.empty() && watched_ == 0 && holds_ == 0) {
      std::lock_guard lock(posted_mutex_);
      if (posted_.empty()) {
        throw std::logic_error(
            "acrawl::rt::Loop::run: deadlock: the task waits for something that can never "
            "happen");
      }
    }
    poll(idle);
    fire_timers();
  }
}

int Loop::next_timeout_ms() const {
  if (heap_.empty()) return -1;
  auto delta = heap_.front()->deadline_ - Clock::now();
  if (delta <= Clock::duration::zero()) return 0;
  // Round up: rounding down would turn a 0.4 ms wait into a busy spin.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(delta).count();
  return ms > 1'000'000 ? 1'000'000 : static_cast<int>(ms);
}

void Loop::poll(bool block) {
  int timeout = block ? next_timeout_ms() : 0;
  int n = ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), timeout);
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    std::uint64_t data = events_[static_cast<std::size_t>(i)].data.u64;
    auto index = static_cast<std::uint32_t>(data & 0xffffffffu);
    auto generation = static_cast<std::uint32_t>(data >> 32);
    if (index == 0) {
      drain_posted();
      continue;
    }
    if (index >= slots_.size()) continue;
    Slot& slot = slots_[index];
    // A watcher removed earlier in this batch has a new generation: its events are stale.
    if (slot.generation != generation || slot.watcher == nullptr) continue;
    slot.watcher->on_io(events_[static_cast<std::size_t>(i)].events);
  }
  if (static_cast<std::size_t>(n) == events_.size() && events_.size() < 4096) {
    events_.resize(events_.size() * 2);
  }
}

void Loop::fire_timers() {
  if (heap_.empty()) return;
  auto now = Clock::now();
  // Collect first: a timer callback may re-arm itself at `now` (curl does), which must wait
  // for the next turn instead of spinning here.
  expired_.clear();
  while (!heap_.empty() && heap_.front()->deadline_ <= now) {
    TimerNode* node = heap_.front();
    remove_timer(node);
    expired_.push_back(node);
  }
  for (std::size_t i = 0; i < expired_.size(); ++i) {
    TimerNode* node = expired_[i];
    // An earlier callback of this batch may have removed and re-armed it: skip those.
    if (node != nullptr && !node->armed()) node->on_timer();
  }
  expired_.clear();
}

IoHandle Loop::watch(int fd, std::uint32_t events, IoWatcher* watcher) {
  std::uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.watcher = watcher;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (static_cast<std::uint64_t>(slot.generation) << 32) | index;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    if (errno == EEXIST) {
      // The fd was closed and reused without our knowing (a leaked watch): take it over.
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0) {
        ++watched_;
        return IoHandle{index, slot.generation};
      }
    }
    int err = errno;
    slot.watcher = nullptr;
    free_slots_.push_back(index);
    errno = err;
    throw_errno("epoll_ctl(ADD)");
  }
  ++watched_;
  return IoHandle{index, slot.generation};
}

void Loop::modify(IoHandle h, int fd, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (static_cast<std::uint64_t>(h.generation) << 32) | h.index;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) throw_errno("epoll_ctl(MOD)");
}

void Loop::unwatch(IoHandle h, int fd) noexcept {
  if (!h.valid() || h.index >= slots_.size()) return;
  Slot& slot = slots_[h.index];
  if (slot.generation != h.generation) return;
  // EBADF/ENOENT: the fd is already closed; epoll forgot it on its own.
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  slot.watcher = nullptr;
  if (++slot.generation == 0) slot.generation = 1;
  free_slots_.push_back(h.index);
  --watched_;
}

void Loop::add_timer(TimerNode* node, Clock::time_point deadline) {
  if (node->armed()) remove_timer(node);
  node->deadline_ = deadline;
  node->heap_index_ = heap_.size();
  heap_.push_back(node);
  heap_up(node->heap_index_);
}

void Loop::remove_timer(TimerNode* node) noexcept {
  if (!node->armed()) return;
  std::size_t i = node->heap_index_;
  std::size_t last = heap_.size() - 1;
  if (i != last) {
    heap_swap(i, last);
    heap_.pop_back();
    heap_down(i);
    heap_up(i);
  } else {
    heap_.pop_back();
  }
  node->heap_index_ = TimerNode::kNotArmed;
}

void Loop::heap_swap(std::size_t a, std::size_t b) noexcept {
  std::swap(heap_[a], heap_[b]);
  heap_[a]->heap_index_ = a;
  heap_[b]->heap_index_ = b;
}

void Loop::heap_up(std::size_t i) noexcept {
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!(heap_[i]->deadline_ < heap_[parent]->deadline_)) break;
    heap_swap(i, parent);
    i = parent;
  }
}

void Loop::heap_down(std::size_t i) noexcept {
  for (;;) {
    std::size_t left = 2 * i + 1;
    std::size_t smallest = i;
    if (left < heap_.size() && heap_[left]->deadline_ < heap_[smallest]->deadline_) {
      smallest = left;
    }
    if (left + 1 < heap_.size() && heap_[left + 1]->deadline_ < heap_[smallest]->deadline_) {
      smallest = left + 1;
    }
    if (smallest == i) return;
    heap_swap(i, smallest);
    i = smallest;
  }
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  // Coalesce wakeups: one eventfd write until the loop has drained.
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    std::uint64_t one = 1;
    ssize_t r = ::write(wake_fd_, &one, sizeof one);
    (void)r;  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  }
}

void Loop::drain_posted() {
  std::uint64_t value;
  while (::read(wake_fd_, &value, sizeof value) > 0) {
  }
  wake_pending_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(posted_mutex_);
    posted_swap_.swap(posted_);
  }
  // Run outside the lock: a callback may post again.
  for (auto& fn : posted_swap_) fn();
  posted_swap_.clear();
}

}  // namespace acrawl::rt
