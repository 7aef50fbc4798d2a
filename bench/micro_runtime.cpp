// Runtime micro-benchmarks, mirroring the asyncio ones (../shared/bench/micro_asyncio.py):
// yield, spawn+gather, queue 1p/4c, plus semaphore, thread-pool round trip and memory per
// suspended task. Prints a Markdown table (best and median ns per operation over --trials).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/gather.hpp"
#include "runtime/loop.hpp"
#include "runtime/queue.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;

namespace {

using Seconds = std::chrono::duration<double>;

Task<Seconds> bench_yield(long n) {
  auto t = Clock::now();
  for (long i = 0; i < n; ++i) co_await yield();
  co_return Clock::now() - t;
}

Task<int> nop() {
  co_return 1;
}

Task<Seconds> bench_spawn(long n) {
  auto t = Clock::now();
  std::vector<Task<int>> tasks;
  tasks.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) tasks.push_back(nop());
  auto values = co_await gather(std::move(tasks));
  if (static_cast<long>(values.size()) != n) std::abort();
  co_return Clock::now() - t;
}

Task<void> consumer(Queue<long>* q, long* got) {
  while (std::optional<long> item = co_await q->pop()) ++*got;
}

Task<void> producer(Queue<long>* q, long n) {
  for (long i = 0; i < n; ++i) {
    long item = i;
    co_await q->push(item);
  }
  q->close();
}

Task<Seconds> bench_queue(long n) {
  Queue<long> q(1024);
  long got = 0;
  auto t = Clock::now();
  Scope scope;
  for (int c = 0; c < 4; ++c) scope.spawn(consumer(&q, &got));
  scope.spawn(producer(&q, n));
  co_await scope.join();
  if (got != n) std::abort();
  co_return Clock::now() - t;
}

Task<Seconds> bench_semaphore(long n) {
  Semaphore sem(1);
  auto t = Clock::now();
  for (long i = 0; i < n; ++i) {
    Semaphore::Permit p = co_await sem.acquire();
  }
  co_return Clock::now() - t;
}

struct Trivial {
  long operator()() const { return 1; }
};

Task<Seconds> bench_pool(long n) {
  ThreadPool pool(1);
  auto t = Clock::now();
  long sum = 0;
  for (long i = 0; i < n; ++i) sum += co_await pool.run(Trivial{});
  if (sum != n) std::abort();
  co_return Clock::now() - t;
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

Task<void> sleeper() {
  co_await sleep_for(1h);
}

Task<void> cancel_soon(Scope* scope, long* rss_after) {
  co_await sleep_for(50ms);  // every sleeper has started and is suspended
  *rss_after = rss_kb();
  scope->cancel();
}

// Bytes per suspended task: RSS growth with n tasks sleeping at once, divided by n.
Task<double> bench_memory(long n) {
  long before = rss_kb();
  long after = 0;
  Scope scope;
  for (long i = 0; i < n; ++i) scope.spawn(sleeper());
  scope.spawn(cancel_soon(&scope, &after));
  co_await scope.join();
  co_return static_cast<double>(after - before) * 1024.0 / static_cast<double>(n);
}

struct Case {
  const char* name;
  long ops;
  Task<Seconds> (*fn)(long);
};

}  // namespace

int main(int argc, char** argv) {
  int trials = 3;
  double scale = 1.0;
  std::string only;  // run the cases whose name contains this
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--trials") == 0 && i + 1 < argc) trials = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--scale") == 0 && i + 1 < argc) scale = std::atof(argv[++i]);
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
  }
  const Case cases[] = {
      {"yield (sleep0)", 1'000'000, bench_yield},
      {"spawn+gather", 100'000, bench_spawn},
      {"queue 1p/4c", 1'000'000, bench_queue},
      {"semaphore acquire+release", 1'000'000, bench_semaphore},
      {"thread-pool round trip", 100'000, bench_pool},
  };
  std::printf("acrawl runtime, best / median of %d trials, ns per operation\n\n", trials);
  std::printf("| benchmark | ops | best ns/op | median ns/op |\n|---|---|---|---|\n");
  for (const Case& c : cases) {
    if (!only.empty() && std::string(c.name).find(only) == std::string::npos) continue;
    long n = std::max(1L, static_cast<long>(static_cast<double>(c.ops) * scale));
    std::vector<double> ns;
    for (int t = 0; t < trials; ++t) {
      Seconds s = run(c.fn(n));
      ns.push_back(s.count() * 1e9 / static_cast<double>(n));
    }
    std::sort(ns.begin(), ns.end());
    std::printf("| %s | %ld | %.1f | %.1f |\n", c.name, n, ns.front(), ns[ns.size() / 2]);
    std::fflush(stdout);
  }
  if (!only.empty() && only != "memory") return 0;
  long n = std::max(1L, static_cast<long>(1'000'000 * scale));
  double bytes = run(bench_memory(n));
  std::printf(
      "\nmemory: %ld tasks suspended at once (sleeping): %.0f bytes per task, %.0f MiB in all\n", n,
      bytes, bytes * static_cast<double>(n) / (1024.0 * 1024.0));
  return 0;
}
