#include "runtime/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "runtime/loop.hpp"
#include "runtime/timer.hpp"

namespace acrawl::rt {

namespace detail {

// One socket registered with the loop (edge-triggered), with at most one reader and one
// writer waiting on it.
class SocketIo final : public IoWatcher {
 public:
  explicit SocketIo(int fd) : fd_(fd), loop_(&Loop::current()) {
    io_ = loop_->watch(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this);
  }
  ~SocketIo() { close(); }
  SocketIo(const SocketIo&) = delete;
  SocketIo& operator=(const SocketIo&) = delete;

  int fd() const noexcept { return fd_; }
  void close() noexcept {
    if (fd_ < 0) return;
    loop_->unwatch(io_, fd_);
    ::close(fd_);
    fd_ = -1;
  }

  class Wait {
   public:
    Wait(SocketIo* io, bool write) noexcept : io_(io), write_(write) {}
    Wait(const Wait&) = delete;
    Wait& operator=(const Wait&) = delete;
    ~Wait() {
      if (slot() == this) slot() = nullptr;
    }
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      context_ = current_context;
      if (cancel_requested()) {
        cancelled_ = true;
        return false;
      }
      handle_ = h;
      slot() = this;
      reg_.attach(context_, &Wait::on_cancel, this);
      return true;
    }
    void await_resume() {
      reg_.reset();
      if (cancelled_) throw Cancelled{};
    }
    void wake() noexcept {
      slot() = nullptr;
      reg_.reset();
      io_->loop_->schedule(handle_, context_);
    }

   private:
    Wait*& slot() noexcept { return write_ ? io_->writer_ : io_->reader_; }
    static void on_cancel(void* p) noexcept {
      auto* w = static_cast<Wait*>(p);
      w->cancelled_ = true;
      w->wake();
    }
    SocketIo* io_;
    bool write_;
    std::coroutine_handle<> handle_;
    CancelState* context_ = nullptr;
    CancelRegistration reg_;
    bool cancelled_ = false;
  };

  Wait readable() noexcept { return Wait(this, false); }
  Wait writable() noexcept { return Wait(this, true); }

  void on_io(std::uint32_t events) noexcept override {
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0 && reader_ != nullptr) {
      reader_->wake();
    }
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0 && writer_ != nullptr) {
      writer_->wake();
    }
  }

 private:
  int fd_;
  Loop* loop_;
  IoHandle io_;
  Wait* reader_ = nullptr;
  Wait* writer_ = nullptr;
};

}  // namespace detail

namespace {

[[noreturn]] void throw_errno(int err, const char* what) {
  throw std::system_error(err, std::generic_category(), what);
}

void check_not_cancelled() {
  if (detail::cancel_requested()) throw Cancelled{};
}

// Fills storage with the socket address for a numeric ip; returns its length.
socklen_t make_address(const std::string& ip, std::uint16_t port, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof storage);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof(sockaddr_in6);
  }
  throw std::invalid_argument("not a numeric IP address: " + ip);
}

Task<std::size_t> read_some(detail::SocketIo* io, std::span<char> buf) {
  check_not_cancelled();
  for (;;) {
    ssize_t n = ::recv(io->fd(), buf.data(), buf.size(), 0);
    if (n >= 0) co_return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw_errno(errno, "recv");
    co_await io->readable();
  }
}

Task<void> write_all_to(detail::SocketIo* io, std::string_view data) {
  check_not_cancelled();
  while (!data.empty()) {
    ssize_t n = ::send(io->fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw_errno(errno, "send");
    co_await io->writable();
  }
}

Task<TcpStream> accept_from(detail::SocketIo* io) {
  check_not_cancelled();
  for (;;) {
    int fd = ::accept4(io->fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      co_return TcpStream(fd);
    }
    int err = errno;
    if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      co_await io->readable();
      continue;
    }
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      // Out of descriptors: back off; edge-triggered readiness will not repeat, so poll.
      co_await sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    throw_errno(err, "accept4");
  }
}

}  // namespace

TcpStream::TcpStream() noexcept = default;
TcpStream::TcpStream(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  try {
    io_ = std::make_unique<detail::SocketIo>(fd);
  } catch (...) {
    ::close(fd);
    throw;
  }
}
TcpStream::TcpStream(TcpStream&&) noexcept = default;
TcpStream& TcpStream::operator=(TcpStream&&) noexcept = default;
TcpStream::~TcpStream() = default;

Task<TcpStream> TcpStream::connect(std::string ip, std::uint16_t port) {
  check_not_cancelled();
  sockaddr_storage addr;
  socklen_t len = make_address(ip, port, addr);
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(errno, "socket");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
  if (rc != 0 && errno != EINPROGRESS) {
    int err = errno;
    ::close(fd);
    throw_errno(err, "connect");
  }
  TcpStream stream(fd);
  if (rc != 0) {
    co_await stream.io_->writable();
    int err = 0;
    socklen_t err_len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) throw_errno(err, "connect");
  }
  co_return stream;
}

Task<std::size_t> TcpStream::read(std::span<char> buf) {
  return read_some(io_.get(), buf);
}

Task<void> TcpStream::write_all(std::string_view data) {
  return write_all_to(io_.get(), data);
}

void TcpStream::shutdown_write() noexcept {
  if (io_ && io_->fd() >= 0) ::shutdown(io_->fd(), SHUT_WR);
}

void TcpStream::abort() noexcept {
  if (!io_ || io_->fd() < 0) return;
  linger lg{1, 0};
  ::setsockopt(io_->fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  io_->close();
}

void TcpStream::close() noexcept {
  if (io_) io_->close();
}

bool TcpStream::is_open() const noexcept {
  return io_ && io_->fd() >= 0;
}
int TcpStream::fd() const noexcept {
  return io_ ? io_->fd() : -1;
}

TcpListener::TcpListener() noexcept = default;
TcpListener::TcpListener(TcpListener&&) noexcept = default;
TcpListener& TcpListener::operator=(TcpListener&&) noexcept = default;
TcpListener::~TcpListener() = default;

TcpListener TcpListener::bind(const std::string& ip, std::uint16_t port, int backlog) {
  sockaddr_storage addr;
  socklen_t len = make_address(ip, port, addr);
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(errno, "socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, backlog) != 0) {
    int err = errno;
    ::close(fd);
    throw_errno(err, "bind/listen");
  }
  sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  TcpListener listener;
  listener.port_ =
      ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  try {
    listener.io_ = std::make_unique<detail::SocketIo>(fd);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return listener;
}

Task<TcpStream> TcpListener::accept() {
  return accept_from(io_.get());
}

void TcpListener::close() noexcept {
  if (io_) io_->close();
}

}  // namespace acrawl::rt
