#include "crawler/crawl/interrupt.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/event.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/signals.hpp"

namespace acrawl::crawler {

struct Interrupt::Subscription::State {
  std::mutex mutex;  // the callbacks, and every call of one
  struct Entry {
    std::uint64_t id;
    bool first;
    std::function<void()> fn;
  };
  std::vector<Entry> entries;
  std::uint64_t next_id = 1;
  int received = 0;
  std::atomic<bool> flag{false};

  void remove(std::uint64_t id) noexcept {
    std::lock_guard lock(mutex);
    std::erase_if(entries, [id](const Entry& e) { return e.id == id; });
  }
  // On the signal thread.
  void signalled(int sig) noexcept {
    std::lock_guard lock(mutex);
    ++received;
    if (received == 1) {
      flag.store(true, std::memory_order_relaxed);
      spdlog::warn("interrupted by signal {}: finishing (again to quit at once)", sig);
    }
    for (const Entry& e : entries) {
      if (e.first == (received == 1)) e.fn();
    }
    if (received >= 2) ::_exit(kExitStatus);
  }
};

Interrupt::Subscription::Subscription(std::shared_ptr<State> state, std::uint64_t id) noexcept
    : state_(std::move(state)), id_(id) {}

Interrupt::Subscription::Subscription(Subscription&& other) noexcept
    : state_(std::move(other.state_)), id_(std::exchange(other.id_, 0)) {}

Interrupt::Subscription& Interrupt::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    if (state_) state_->remove(id_);
    state_ = std::move(other.state_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

Interrupt::Subscription::~Subscription() {
  if (state_) state_->remove(id_);
}

namespace {

using State = Interrupt::Subscription::State;

rt::Task<void> take_signals(State* state, rt::SignalSet* signals) {
  for (;;) {
    const int sig = co_await signals->next();
    state->signalled(sig);
  }
}

rt::Task<void> serve(rt::Scope& scope, State* state, rt::Event* stop, std::promise<void>* started) {
  rt::SignalSet signals({SIGINT, SIGTERM});  // on failure, the constructor rethrows it
  started->set_value();
  scope.spawn(take_signals(state, &signals));
  co_await stop->wait();
  scope.cancel();
}

sigset_t crawl_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

struct Interrupt::Impl {
  std::shared_ptr<State> state = std::make_shared<State>();
  sigset_t previous_mask{};
  std::mutex loop_mutex;
  rt::Loop* loop = nullptr;    // the signal thread's, while it runs
  rt::Event stop;              // on the signal thread's loop
  std::promise<void> started;  // satisfied once the signals are watched, or with why not
  std::thread thread;

  // The thread: a loop watching the signals until stop is set.
  void run() noexcept {
    try {
      rt::Loop own;
      {
        std::lock_guard lock(loop_mutex);
        loop = &own;
      }
      struct Forget {
        Impl* self;
        ~Forget() {
          std::lock_guard lock(self->loop_mutex);
          self->loop = nullptr;
        }
      } forget{this};
      own.run(rt::with_scope(serve, state.get(), &stop, &started));
    } catch (...) {
      try {
        started.set_exception(std::current_exception());  // the constructor throws it
      } catch (const std::future_error&) {
        // Failed after it started: the signals stay blocked and pending, and the crawl runs to
        // its end, uninterruptible.
        spdlog::error("the signal watcher stopped: Ctrl-C will not stop this crawl");
      }
    }
  }
};

Interrupt::Interrupt() : impl_(std::make_unique<Impl>()) {
  const sigset_t set = crawl_signals();
  if (const int err = pthread_sigmask(SIG_BLOCK, &set, &impl_->previous_mask); err != 0) {
    throw std::system_error(err, std::generic_category(), "pthread_sigmask");
  }
  std::future<void> ready = impl_->started.get_future();
  try {
    impl_->thread = std::thread([this] { impl_->run(); });
    ready.get();
  } catch (...) {
    if (impl_->thread.joinable()) impl_->thread.join();
    pthread_sigmask(SIG_SETMASK, &impl_->previous_mask, nullptr);
    throw;
  }
}

Interrupt::~Interrupt() {
  {
    std::lock_guard lock(impl_->loop_mutex);
    if (impl_->loop != nullptr) {
      rt::Event* stop = &impl_->stop;
      try {
        impl_->loop->post([stop] { stop->set(); });
      } catch (...) {
        std::terminate();  // out of memory for one closure: the thread could never be joined
      }
    }
  }
  impl_->thread.join();
  // A signal that came after the thread stopped is pending: take it, rather than let the
  // default action kill the process once the mask is restored.
  const sigset_t set = crawl_signals();
  const timespec no_wait{0, 0};
  while (sigtimedwait(&set, nullptr, &no_wait) > 0) {
    impl_->state->flag.store(true, std::memory_order_relaxed);
  }
  pthread_sigmask(SIG_SETMASK, &impl_->previous_mask, nullptr);
}

const std::atomic<bool>& Interrupt::flag() const noexcept {
  return impl_->state->flag;
}

Interrupt::Subscription Interrupt::on_first(std::function<void()> fn) {
  std::lock_guard lock(impl_->state->mutex);
  const std::uint64_t id = impl_->state->next_id++;
  if (impl_->state->received >= 1) fn();
  impl_->state->entries.push_back(State::Entry{id, true, std::move(fn)});
  return Subscription(impl_->state, id);
}

Interrupt::Subscription Interrupt::on_second(std::function<void()> fn) {
  std::lock_guard lock(impl_->state->mutex);
  const std::uint64_t id = impl_->state->next_id++;
  impl_->state->entries.push_back(State::Entry{id, false, std::move(fn)});
  return Subscription(impl_->state, id);
}

}  // namespace acrawl::crawler
