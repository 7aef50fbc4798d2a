#pragma once
// TlsFront: Debian's nginx on 127.0.0.1 in front of a plain-HTTP backend (the fixture server),
// with a certificate from a TestCa: one HTTPS port that offers HTTP/2 by ALPN, one that speaks
// HTTP/1.1 only. It logs every request with nginx's connection number, so tests count the
// connections a crawler opened.

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "tests/support/test_ca.hpp"

namespace acrawl::test {

class TlsFront {
 public:
  // Starts nginx on two sockets listening already (connections made at once wait for it to
  // accept). Throws std::runtime_error when it cannot be started.
  TlsFront(const TestCa& ca, const std::string& backend_base_url);
  // Stops nginx. Never throws.
  ~TlsFront();
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  std::string h2_base_url() const { return "https://127.0.0.1:" + std::to_string(h2_port_); }
  std::string h1_base_url() const { return "https://127.0.0.1:" + std::to_string(h1_port_); }
  int h2_port() const { return h2_port_; }
  int h1_port() const { return h1_port_; }

  struct Seen {
    std::size_t requests = 0;
    std::size_t connections = 0;  // distinct TCP connections those requests came on
    std::size_t http2 = 0;        // requests made over HTTP/2
  };
  // What nginx logged on port since start or clear_log(). nginx logs a request after its
  // response went out: with at_least, waits (up to 30 s) until that many requests are logged.
  // Throws only std::bad_alloc.
  Seen seen(int port, std::size_t at_least = 0) const;
  void clear_log() const;

  // True when /usr/sbin/nginx is there to start.
  static bool available();

 private:
  void write_config(const TestCa& ca, const std::string& backend) const;
  void start(int h2_fd, int h1_fd);
  void stop() noexcept;
  Seen read_log(int port) const;

  std::string dir_;
  int h2_port_ = 0;
  int h1_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace acrawl::test
