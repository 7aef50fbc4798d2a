#include "runtime/signals.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <coroutine>
#include <system_error>

#include "runtime/event.hpp"
#include "runtime/loop.hpp"

namespace acrawl::rt {

namespace detail {

class SignalIo final : public IoWatcher {
 public:
  explicit SignalIo(std::initializer_list<int> signals) : loop_(&Loop::current()) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    if (pthread_sigmask(SIG_BLOCK, &set, &previous_) != 0) fail("pthread_sigmask");
    fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd_ < 0) {
      int err = errno;
      pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
      errno = err;
      fail("signalfd");
    }
    // Edge-triggered: next_signal reads until EAGAIN before waiting again.
    io_ = loop_->watch(fd_, EPOLLIN | EPOLLET, this);
  }
  ~SignalIo() {
    loop_->unwatch(io_, fd_);
    ::close(fd_);
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SignalIo(const SignalIo&) = delete;
  SignalIo& operator=(const SignalIo&) = delete;

  // The next pending signal, or 0 when none is pending.
  int try_read() noexcept {
    signalfd_siginfo info;
    ssize_t n = ::read(fd_, &info, sizeof info);
    if (n != static_cast<ssize_t>(sizeof info)) return 0;
    return static_cast<int>(info.ssi_signo);
  }
  Event& readable() noexcept { return readable_; }

  void on_io(std::uint32_t) noexcept override { readable_.set(); }

 private:
  [[noreturn]] static void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
  }
  Loop* loop_;
  int fd_ = -1;
  IoHandle io_;
  sigset_t previous_;
  Event readable_;
};

}  // namespace detail

namespace {
Task<int> next_signal(detail::SignalIo* io) {
  for (;;) {
    if (detail::cancel_requested()) throw Cancelled{};
    if (int s = io->try_read()) co_return s;
    io->readable().clear();
    co_await io->readable().wait();
  }
}
}  // namespace

SignalSet::SignalSet(std::initializer_list<int> signals)
    : io_(std::make_unique<detail::SignalIo>(signals)) {}

SignalSet::~SignalSet() = default;

Task<int> SignalSet::next() {
  return next_signal(io_.get());
}

}  // namespace acrawl::rt
