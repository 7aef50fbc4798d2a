#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/loop.hpp"
#include "runtime/queue.hpp"
#include "runtime/scope.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;

namespace {

Task<void> produce(Queue<int>* q, int n, int* max_size) {
  for (int i = 0; i < n; ++i) {
    int item = i;
    co_await q->push(item);
    *max_size = std::max(*max_size, static_cast<int>(q->size()));
  }
  q->close();
}

Task<void> consume(Queue<int>* q, std::vector<int>* got) {
  while (std::optional<int> item = co_await q->pop()) {
    got->push_back(*item);
    co_await yield();
  }
}

Task<std::vector<int>> pipeline(int* max_size) {
  Queue<int> q(4);
  std::vector<int> got;
  Scope scope;
  scope.spawn(produce(&q, 100, max_size));
  scope.spawn(consume(&q, &got));
  scope.spawn(consume(&q, &got));
  co_await scope.join();
  co_return got;
}

Task<void> push_one(Queue<std::string>* q, std::string* item, bool* closed, bool* cancelled) {
  try {
    co_await q->push(*item);
  } catch (const QueueClosed&) {
    *closed = true;
  } catch (const Cancelled&) {
    *cancelled = true;
    throw;
  }
}

Task<void> pop_one(Queue<std::string>* q, std::optional<std::string>* out) {
  *out = co_await q->pop();
}

Task<void> close_wakes_everyone() {
  Queue<std::string> full(1);
  std::string first = "first";
  REQUIRE(full.try_push(first));
  std::string waiting = "waiting";
  bool closed = false;
  bool cancelled = false;
  Queue<std::string> empty(1);
  std::optional<std::string> popped = std::string("sentinel");
  Scope scope;
  scope.spawn(push_one(&full, &waiting, &closed, &cancelled));
  scope.spawn(pop_one(&empty, &popped));
  co_await yield();  // both have started: the push waits for room, the pop for an item
  full.close();
  empty.close();
  co_await scope.join();
  CHECK(closed);
  CHECK(waiting == "waiting");  // the refused item stays with the producer
  CHECK_FALSE(popped.has_value());
  // The closed queue still drains what it holds.
  auto drained = full.try_pop();
  REQUIRE(drained);
  CHECK(*drained == "first");
}

Task<void> cancelled_push_keeps_item() {
  Queue<std::string> q(1);
  std::string first = "first";
  REQUIRE(q.try_push(first));
  std::string item = "mine";
  bool closed = false;
  bool cancelled = false;
  Scope scope;
  auto h = scope.spawn(push_one(&q, &item, &closed, &cancelled));
  co_await yield();  // the push has started and waits for room
  CHECK_FALSE(h.done());
  h.cancel();
  co_await scope.join();
  CHECK(cancelled);
  CHECK(item == "mine");
  CHECK(q.size() == 1);
}

Task<void> cancelled_pop_takes_nothing() {
  Queue<std::string> q(2);
  std::optional<std::string> out;
  Scope scope;
  auto h = scope.spawn(pop_one(&q, &out));
  co_await yield();  // the pop has started and waits for an item
  CHECK_FALSE(h.done());
  h.cancel();
  co_await scope.join();
  CHECK(h.cancelled());
  std::string later = "later";
  REQUIRE(q.try_push(later));  // not handed to the cancelled consumer
  CHECK(q.size() == 1);
}

}  // namespace

TEST_CASE("queue: bounded (backpressure), FIFO, close then drain") {
  int max_size = 0;
  auto got = run(pipeline(&max_size));
  REQUIRE(got.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
  CHECK(max_size <= 4);
}

TEST_CASE("queue: close wakes waiting producers (QueueClosed) and consumers (nullopt)") {
  run(close_wakes_everyone());
}

TEST_CASE("queue: a cancelled push leaves the item with the caller") {
  run(cancelled_push_keeps_item());
}

TEST_CASE("queue: a cancelled pop takes nothing") {
  run(cancelled_pop_takes_nothing());
}
