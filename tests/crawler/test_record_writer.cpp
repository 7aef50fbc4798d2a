// RecordWriter: a bounded buffer drained by a thread of its own.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "crawler/output/record_writer.hpp"
#include "tests/support/collect_sink.hpp"

using acrawl::crawler::OutputError;
using acrawl::crawler::PageRecord;
using acrawl::crawler::RecordWriter;
using acrawl::test::CollectSink;
using namespace std::chrono_literals;

namespace {

PageRecord record(int n) {
  PageRecord r;
  r.url = "http://a.test/" + std::to_string(n);
  r.status = 200;
  return r;
}

// Counts on_room calls; wait_calls blocks until the count reaches n.
struct RoomCalls {
  std::mutex mutex;
  std::condition_variable cv;
  int calls = 0;
  void call() {
    std::lock_guard lock(mutex);
    ++calls;
    cv.notify_all();
  }
  void wait_calls(int n) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return calls >= n; });
  }
};

}  // namespace

TEST_CASE("record writer: every record reaches the sinks, in order, by close()") {
  CollectSink records;
  CollectSink links;
  RecordWriter writer(records, &links, 4);
  for (int i = 0; i < 1000; ++i) writer.push(record(i));
  writer.close();
  REQUIRE(records.records().size() == 1000);
  CHECK(links.records().size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(records.records()[i].url == record(i).url);
  CHECK(writer.written() == 1000);
}

TEST_CASE("record writer: a stalled reader fills the buffer; push never waits; room comes back") {
  CollectSink sink;
  sink.block();
  RoomCalls room;
  RecordWriter writer(sink, nullptr, 4);
  writer.on_room([&room] { room.call(); });
  writer.push(record(0));
  sink.wait_writes_started(1);  // the writer thread is stuck in write()
  for (int i = 1; i < 4; ++i) writer.push(record(i));
  CHECK_FALSE(writer.has_room());                       // 4 not written: start no more transfers
  for (int i = 4; i < 10; ++i) writer.push(record(i));  // those in flight still go in
  CHECK(room.calls == 0);
  sink.release();
  room.wait_calls(1);  // announced once half the capacity is free again
  writer.close();
  CHECK(sink.records().size() == 10);
  CHECK(writer.has_room());
}

TEST_CASE("record writer: a failed write is thrown by push, has_room and close; waiters woken") {
  CollectSink sink;
  sink.fail();
  RoomCalls room;
  RecordWriter writer(sink, nullptr, 1);
  writer.on_room([&room] { room.call(); });
  writer.push(record(0));
  room.wait_calls(1);  // the failure wakes a crawl waiting for room
  CHECK_THROWS_AS(writer.push(record(1)), OutputError);
  CHECK_THROWS_AS(writer.has_room(), OutputError);
  CHECK_THROWS_AS(writer.close(), OutputError);
}

TEST_CASE("record writer: write_out_now writes every queued record exactly once") {
  CollectSink sink;
  sink.block();
  RecordWriter writer(sink, nullptr, 100);
  writer.push(record(0));
  sink.wait_writes_started(1);  // the writer thread holds record 0
  for (int i = 1; i < 5; ++i) writer.push(record(i));
  std::thread last_words([&writer] { writer.write_out_now(10s); });
  sink.release();
  last_words.join();
  CHECK(sink.urls() == std::vector<std::string>{record(0).url, record(1).url, record(2).url,
                                                record(3).url, record(4).url});
}

TEST_CASE("record writer: write_out_now gives up on a writer stuck on a stalled reader") {
  CollectSink sink;
  sink.block();
  RecordWriter writer(sink, nullptr, 100);
  writer.push(record(0));
  sink.wait_writes_started(1);
  writer.push(record(1));
  writer.write_out_now(1ms);  // returns: nothing could reach a reader that does not read
  CHECK(sink.records().empty());
  sink.release();
  writer.close();
  CHECK(sink.records().size() == 2);
}

TEST_CASE("record writer: after on_room({}) the callback is never called again") {
  CollectSink sink;
  sink.block();
  std::atomic<int> calls{0};
  RecordWriter writer(sink, nullptr, 2);
  writer.on_room([&calls] { calls.fetch_add(1); });
  writer.push(record(0));
  sink.wait_writes_started(1);
  writer.push(record(1));
  CHECK_FALSE(writer.has_room());
  writer.on_room({});
  sink.release();
  writer.close();
  CHECK(calls.load() == 0);
}

TEST_CASE("record writer: records with long link lists fill the buffer by their size") {
  CollectSink sink;
  sink.block();
  RecordWriter writer(sink, nullptr, 1'000'000);
  PageRecord heavy = record(0);
  heavy.links.emplace(4096, std::string(1000, 'l'));  // over 4 MB of links
  writer.push(heavy);
  sink.wait_writes_started(1);
  for (int i = 1; i < 3; ++i) writer.push(heavy);
  CHECK(writer.has_room());  // about 12.7 MB pending: under 16 MiB
  writer.push(heavy);
  CHECK_FALSE(writer.has_room());  // about 16.9 MB: full, though 4 records are far from the count
  sink.release();
  writer.close();
  CHECK(sink.records().size() == 4);
}
