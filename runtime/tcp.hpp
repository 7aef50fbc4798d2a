#pragma once
// TCP streams and listeners as awaitables (numeric IPv4/IPv6 addresses; no DNS here).
//
// Sockets are non-blocking and registered once with the loop, edge-triggered; every operation
// tries the syscall first and waits for readiness only on EAGAIN. Every operation is a
// cancellation point: in a cancelled context it throws Cancelled instead of starting, and a
// wait in progress is woken at once with Cancelled. The stream stays usable (or closable)
// afterwards.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/task.hpp"

namespace acrawl::rt {

namespace detail {
class SocketIo;
}

class TcpStream {
 public:
  TcpStream() noexcept;
  // Takes ownership of a connected socket; makes it non-blocking and watches it.
  explicit TcpStream(int fd);
  TcpStream(TcpStream&&) noexcept;
  TcpStream& operator=(TcpStream&&) noexcept;
  ~TcpStream();

  // Connects to ip:port. Throws std::system_error (e.g. ECONNREFUSED) or std::invalid_argument
  // for an address that is not numeric.
  static Task<TcpStream> connect(std::string ip, std::uint16_t port);

  // Reads at most buf.size() bytes into buf; returns 0 at end of stream. Throws
  // std::system_error on a reset or other error. buf must outlive the await.
  Task<std::size_t> read(std::span<char> buf);
  // Writes all of data (which must outlive the await). Throws std::system_error (EPIPE,
  // ECONNRESET). On cancellation part of data may have been written.
  Task<void> write_all(std::string_view data);

  void shutdown_write() noexcept;
  // Closes the connection with a TCP reset instead of an orderly FIN.
  void abort() noexcept;
  void close() noexcept;
  bool is_open() const noexcept;
  int fd() const noexcept;

 private:
  std::unique_ptr<detail::SocketIo> io_;
};

class TcpListener {
 public:
  TcpListener() noexcept;
  TcpListener(TcpListener&&) noexcept;
  TcpListener& operator=(TcpListener&&) noexcept;
  ~TcpListener();

  // Binds and listens on ip:port (port 0: an ephemeral port). Throws std::system_error.
  static TcpListener bind(const std::string& ip, std::uint16_t port, int backlog = 4096);
  std::uint16_t port() const noexcept { return port_; }

  // The next incoming connection. Out of file descriptors (EMFILE), it backs off and retries
  // instead of failing. Throws std::system_error on other errors.
  Task<TcpStream> accept();
  void close() noexcept;

 private:
  std::unique_ptr<detail::SocketIo> io_;
  std::uint16_t port_ = 0;
};

}  // namespace acrawl::rt
