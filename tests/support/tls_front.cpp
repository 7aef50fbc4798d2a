#include "tests/support/tls_front.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace acrawl::test {

namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";

// A port nothing listens on now (the kernel's pick for a socket closed again).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("tls front: no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool TlsFront::available() {
  return ::access(kNginx, X_OK) == 0;
}

TlsFront::TlsFront(const TestCa& ca, const std::string& backend_base_url) {
  char tmpl[] = "/tmp/acrawl-nginx-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("tls front: mkdtemp");
  dir_ = tmpl;
  const std::string backend = backend_base_url.substr(backend_base_url.find("://") + 3);
  try {
    std::filesystem::create_directory(dir_ + "/tmp");
    std::filesystem::create_directory(dir_ + "/logs");
    // The ports are free when picked, not reserved: another process may take one before nginx
    // binds it. Then nginx exits, and new ports are tried.
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (start(ca, backend)) return;
    }
    throw std::runtime_error("tls front: nginx did not start: " + slurp(dir_ + "/error.log"));
  } catch (...) {
    stop();
    throw;
  }
}

bool TlsFront::start(const TestCa& ca, const std::string& backend) {
  h2_port_ = free_port();
  do {
    h1_port_ = free_port();
  } while (h1_port_ == h2_port_);
  std::ofstream conf(dir_ + "/nginx.conf");
  conf << (::geteuid() == 0 ? "user root;\n" : "") << "daemon off;\nworker_processes 1;\n"
       << "pid " << dir_ << "/nginx.pid;\nerror_log " << dir_ << "/error.log warn;\n"
       << "events { worker_connections 4096; }\n"
       << "http {\n"
       << "  log_format conn '$connection $server_port $server_protocol $status';\n"
       << "  access_log " << dir_ << "/access.log conn;\n"
       << "  client_body_temp_path " << dir_ << "/tmp/body;\n"
       << "  proxy_temp_path " << dir_ << "/tmp/proxy;\n"
       << "  fastcgi_temp_path " << dir_ << "/tmp/fastcgi;\n"
       << "  uwsgi_temp_path " << dir_ << "/tmp/uwsgi;\n"
       << "  scgi_temp_path " << dir_ << "/tmp/scgi;\n"
       << "  upstream backend { server " << backend << "; keepalive 64; }\n"
       << "  proxy_http_version 1.1;\n  proxy_set_header Connection \"\";\n"
       << "  proxy_buffering off;\n  keepalive_requests 100000;\n"
       << "  ssl_certificate " << ca.cert_file() << ";\n"
       << "  ssl_certificate_key " << ca.key_file() << ";\n"
       << "  server { listen 127.0.0.1:" << h2_port_ << " ssl http2;\n"
       << "    location / { proxy_pass http://backend; } }\n"
       << "  server { listen 127.0.0.1:" << h1_port_ << " ssl;\n"
       << "    location / { proxy_pass http://backend; } }\n"
       << "}\n";
  conf.close();
  const std::string conf_path = dir_ + "/nginx.conf";
  const std::string error_log = dir_ + "/error.log";
  std::vector<std::string> args = {kNginx, "-p", dir_ + "/", "-c", conf_path, "-e", error_log};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (const int rc = ::posix_spawn(&pid_, kNginx, nullptr, nullptr, argv.data(), environ);
      rc != 0) {
    pid_ = -1;
    throw std::runtime_error("tls front: cannot start " + std::string(kNginx));
  }
  // Up when both ports accept; a failed start is an nginx that exited.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(accepts(h2_port_) && accepts(h1_port_))) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("tls front: nginx did not listen: " + slurp(error_log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polls the ports' state
  }
  return true;
}

void TlsFront::stop() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

TlsFront::~TlsFront() {
  stop();
}

TlsFront::Seen TlsFront::seen(int port, std::size_t at_least) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    Seen s;
    std::set<std::string> connections;
    std::istringstream log(slurp(dir_ + "/access.log"));
    std::string connection, server_port, protocol, status;
    while (log >> connection >> server_port >> protocol >> status) {
      if (server_port != std::to_string(port)) continue;
      ++s.requests;
      connections.insert(connection);
      if (protocol == "HTTP/2.0") ++s.http2;
    }
    s.connections = connections.size();
    if (s.requests >= at_least || std::chrono::steady_clock::now() > deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polls the log's state
  }
}

void TlsFront::clear_log() const {
  std::ofstream(dir_ + "/access.log", std::ios::trunc);
}

}  // namespace acrawl::test
