#include "tests/support/tls_front.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

extern char** environ;

namespace acrawl::test {

namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";

// A socket listening on an ephemeral port of 127.0.0.1, for nginx to inherit: bound before
// nginx starts, so no other process can take the port and connections wait in its backlog
// until nginx accepts them (no need to wait for nginx to be up).
int listening_socket(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 1024) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("tls front: cannot listen on 127.0.0.1");
  }
  port = ntohs(addr.sin_port);
  return fd;
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
  int h2_fd = -1;
  int h1_fd = -1;
  try {
    std::filesystem::create_directory(dir_ + "/tmp");
    std::filesystem::create_directory(dir_ + "/logs");
    h2_fd = listening_socket(h2_port_);
    h1_fd = listening_socket(h1_port_);
    write_config(ca, backend);
    start(h2_fd, h1_fd);
  } catch (...) {
    stop();
    if (h2_fd >= 0) ::close(h2_fd);
    if (h1_fd >= 0) ::close(h1_fd);
    throw;
  }
  ::close(h2_fd);  // nginx has its own copies
  ::close(h1_fd);
}

void TlsFront::write_config(const TestCa& ca, const std::string& backend) const {
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
  if (!conf.flush()) throw std::runtime_error("tls front: cannot write nginx.conf");
}

void TlsFront::start(int h2_fd, int h1_fd) {
  // The listening sockets go to nginx as descriptors 3 and 4, named in $NGINX (nginx's way of
  // inheriting sockets): dup2 to another number leaves them open across exec.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, h2_fd, 3);
  posix_spawn_file_actions_adddup2(&actions, h1_fd, 4);
  std::vector<std::string> env_strings = {"NGINX=3;4;"};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("NGINX=", 0) != 0) env_strings.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {
      kNginx, "-p", dir_ + "/", "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, kNginx, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("tls front: cannot start " + std::string(kNginx));
  }
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

TlsFront::Seen TlsFront::read_log(int port) const {
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
  return s;
}

TlsFront::Seen TlsFront::seen(int port, std::size_t at_least) const {
  // Woken by inotify whenever a file in the directory (the access log) changes.
  const int watch = ::inotify_init1(IN_CLOEXEC);
  if (watch < 0 || ::inotify_add_watch(watch, dir_.c_str(), IN_MODIFY | IN_CREATE) < 0) {
    if (watch >= 0) ::close(watch);
    throw std::runtime_error("tls front: inotify");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Seen s = read_log(port);
  while (s.requests < at_least) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{watch, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char events[4096];
    while (::read(watch, events, sizeof events) < 0 && errno == EINTR) {
    }
    s = read_log(port);
  }
  ::close(watch);
  return s;
}

void TlsFront::clear_log() const {
  std::ofstream(dir_ + "/access.log", std::ios::trunc);
}

}  // namespace acrawl::test
