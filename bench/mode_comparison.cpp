#include "bench/mode_comparison.hpp"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "fixtures/server/fixture_server.hpp"

extern char** environ;

namespace acrawl::bench {

namespace {

struct RunResult {
  double wall = 0;
  double cpu = 0;
  double rss_mb = 0;
  double pages = 0;
  double p50 = 0;
  double p99 = 0;
  int status = -1;
};

// The number after "key": in our own stats JSON (flat keys, no nesting ambiguity).
double json_number(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

RunResult run_child(const std::string& exe, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  pid_t pid;
  int rc = ::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "cannot start " + exe);
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  RunResult r;
  r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  r.cpu = secs(ru.ru_utime) + secs(ru.ru_stime);
  r.rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

int compare_modes(const ModeComparison& o) {
  fixtures::ServerOptions server_options;
  server_options.site_pages = o.pages;
  fixtures::FixtureServer server(server_options);
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("acrawl-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path urls = dir / "urls.txt";
  {
    std::ofstream out(urls);
    std::string prefix = server.base_url();
    if (o.latency_ms > 0) prefix += "/delay/" + std::to_string(o.latency_ms);
    for (std::size_t i = 0; i < o.pages; ++i) out << prefix << "/site/p/" << i << ".html\n";
  }
  std::printf(
      "acrawl bench: %zu pages of a generated site on %s, %d ms added latency, "
      "concurrency %zu\n\n",
      o.pages, server.base_url().c_str(), o.latency_ms, o.concurrency);
  std::printf(
      "| mode | pages | wall s | pages/s | CPU s | peak RSS MB | p50 ms | p99 ms | "
      "speed-up over sync |\n|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);

  std::vector<std::pair<crawler::Mode, RunResult>> results;
  int exit_code = 0;
  for (crawler::Mode mode : o.modes) {
    fs::path stats = dir / (std::string(crawler::mode_name(mode)) + ".json");
    RunResult r =
        run_child(o.acrawl_exe, {urls.string(), "--mode", crawler::mode_name(mode), "--concurrency",
                                 std::to_string(o.concurrency), "--no-progress", "-q", "-o",
                                 "/dev/null", "--stats-json", stats.string()});
    std::ifstream in(stats);
    std::stringstream json;
    json << in.rdbuf();
    r.pages = json_number(json.str(), "pages");
    r.p50 = json_number(json.str(), "p50");
    r.p99 = json_number(json.str(), "p99");
    if (r.status != 0 || static_cast<std::size_t>(r.pages) != o.pages) exit_code = 1;
    results.emplace_back(mode, r);
  }
  double sync_wall = 0;
  for (const auto& [mode, r] : results) {
    if (mode == crawler::Mode::sync) sync_wall = r.wall;
  }
  for (const auto& [mode, r] : results) {
    char speedup[32] = "-";
    if (sync_wall > 0) std::snprintf(speedup, sizeof speedup, "%.1fx", sync_wall / r.wall);
    std::printf("| %s | %.0f | %.2f | %.0f | %.2f | %.1f | %.1f | %.1f | %s |%s\n",
                crawler::mode_name(mode), r.pages, r.wall, r.pages / r.wall, r.cpu, r.rss_mb, r.p50,
                r.p99, speedup, r.status == 0 ? "" : " (failed)");
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return exit_code;
}

}  // namespace acrawl::bench
