#pragma once
// CurlMulti: drives libcurl's multi-socket API from the loop.
//
// CURLMOPT_SOCKETFUNCTION keeps epoll interest per socket (not per transfer: HTTP/2 shares
// sockets) and tolerates sockets that are already closed. CURLMOPT_TIMERFUNCTION only records a
// deadline in the loop's timer heap; the loop calls curl_multi_socket_action when it expires.
// After every socket_action the completion queue (curl_multi_info_read) is drained; finished
// transfers are removed from the multi handle and their coroutines are scheduled, never resumed
// from inside curl.

#include <curl/curl.h>

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <vector>

#include "runtime/cancel.hpp"
#include "runtime/loop.hpp"

namespace acrawl::rt {

class CurlMulti {
 public:
  class TransferAwaiter;

  // Binds to the current thread's loop. max_connections > 0 bounds the connections the handle
  // keeps open, busy and idle (CURLMOPT_MAXCONNECTS: past it the oldest idle one is closed as a
  // transfer ends); 0 keeps libcurl's default (4 per transfer added). Throws
  // std::runtime_error if curl cannot create a multi handle or refuses an option.
  // batch_window > 0: an HTTP/2 connection's socket, while the handle has more transfers than
  // sockets, is acted on at most once per window, with every event that arrived meanwhile (see
  // defer()); errors and hang-ups at once.
  explicit CurlMulti(std::size_t max_connections = 0,
                     std::chrono::microseconds batch_window = std::chrono::microseconds(0));
  // Precondition: no transfer in flight (awaiters remove their handles when destroyed).
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  CURLM* handle() const noexcept { return multi_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t peak_in_flight() const noexcept { return peak_in_flight_; }

  // co_await transfer(easy) -> CURLcode: runs the configured easy handle to completion. The
  // handle must stay alive and unchanged until the await finishes; CURLOPT_PRIVATE is used by
  // the driver. A cancellation point: when the context is cancelled the handle is removed from
  // the multi handle at once (the connection is dropped) and Cancelled is thrown.
  TransferAwaiter transfer(CURL* easy) noexcept;

  class TransferAwaiter {
   public:
    TransferAwaiter(CurlMulti* m, CURL* easy) noexcept : multi_(m), easy_(easy) {}
    TransferAwaiter(const TransferAwaiter&) = delete;
    TransferAwaiter& operator=(const TransferAwaiter&) = delete;
    ~TransferAwaiter();

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) noexcept;
    CURLcode await_resume();

   private:
    friend class CurlMulti;
    static void on_cancel(void* self) noexcept;
    void complete(CURLcode result) noexcept;

    CurlMulti* multi_;
    CURL* easy_;
    std::coroutine_handle<> handle_;
    CancelState* context_ = nullptr;
    CancelRegistration reg_;
    CURLcode result_ = CURLE_OK;
    TransferAwaiter* prev_ = nullptr;  // CurlMulti's list of transfers in the multi handle
    TransferAwaiter* next_ = nullptr;
    bool active_ = false;
    bool cancelled_ = false;
  };

 private:
  class Socket;
  class Deadline final : public TimerNode {
   public:
    explicit Deadline(CurlMulti* m) noexcept : multi_(m) {}

   private:
    void on_timer() noexcept override;
    CurlMulti* multi_;
  };

  class Batch final : public TimerNode {
   public:
    explicit Batch(CurlMulti* m) noexcept : multi_(m) {}

   private:
    void on_timer() noexcept override;
    CurlMulti* multi_;
  };
  bool defer(Socket* s, int mask) noexcept;
  void run_batch() noexcept;
  void restore(Socket* s) noexcept;
  void act_on(Socket* s, int mask) noexcept;
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* userp);

  // Both return how many transfers ended.
  std::size_t socket_action(curl_socket_t fd, int mask) noexcept;
  std::size_t drain_messages() noexcept;
  void fail_all(CURLcode code) noexcept;
  void remove(TransferAwaiter* t) noexcept;
  void link_socket(Socket* s) noexcept;
  void unlink_socket(Socket* s) noexcept;

  Loop& loop_;
  CURLM* multi_ = nullptr;
  Deadline deadline_{this};
  std::chrono::microseconds batch_window_;
  Batch batch_{this};
  std::vector<Socket*> batched_;
  std::size_t sockets_count_ = 0;
  Socket* acting_ = nullptr;  // the socket act_on() is acting on, while it exists
  std::size_t in_flight_ = 0;
  std::size_t peak_in_flight_ = 0;
  int in_curl_ = 0;  // >0 while inside a curl_multi call: removals must wait
  std::vector<TransferAwaiter*> deferred_removals_;
  TransferAwaiter* transfers_ = nullptr;
  Socket* sockets_ = nullptr;
};

inline CurlMulti::TransferAwaiter CurlMulti::transfer(CURL* easy) noexcept {
  return TransferAwaiter(this, easy);
}

}  // namespace acrawl::rt
