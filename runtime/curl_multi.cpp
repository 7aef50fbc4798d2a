#include "runtime/curl_multi.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace acrawl::rt {

// Per-socket state: one epoll registration, whatever number of transfers share the socket.
class CurlMulti::Socket final : public IoWatcher {
 public:
  Socket(CurlMulti* m, curl_socket_t s) noexcept : multi(m), fd(s) {}
  void on_io(std::uint32_t events) noexcept override {
    int mask = 0;
    if ((events & EPOLLIN) != 0) mask |= CURL_CSELECT_IN;
    if ((events & EPOLLOUT) != 0) mask |= CURL_CSELECT_OUT;
    if ((events & (EPOLLERR | EPOLLHUP)) != 0) mask |= CURL_CSELECT_ERR;
    if (multi->defer(this, mask)) return;
    multi->act_on(this, mask);  // may delete this
  }

  CurlMulti* multi;
  curl_socket_t fd;
  IoHandle io;
  std::uint32_t interest = 0;  // what curl asked to watch
  Clock::time_point last_action{};
  bool multiplexed = false;  // one of its events ended two transfers: HTTP/2
  int deferred_mask = -1;    // >= 0: waiting in batched_ with these CURL_CSELECT bits
  Socket* prev = nullptr;
  Socket* next = nullptr;
};

namespace {
std::uint32_t epoll_events_for(int what) {
  std::uint32_t ev = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev |= EPOLLOUT;
  return ev;
}

template <class T>
void set(CURLM* multi, CURLMoption option, const char* name, T value) {
  const CURLMcode code = curl_multi_setopt(multi, option, value);
  if (code != CURLM_OK) {
    curl_multi_cleanup(multi);
    throw std::runtime_error(std::string("libcurl refuses ") + name + ": " +
                             curl_multi_strerror(code));
  }
}
}  // namespace

CurlMulti::CurlMulti(std::size_t max_connections, std::chrono::microseconds batch_window)
    : loop_(Loop::current()), batch_window_(batch_window) {
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  if (max_connections > 0) {
    set(multi_, CURLMOPT_MAXCONNECTS, "CURLMOPT_MAXCONNECTS", static_cast<long>(max_connections));
  }
  set(multi_, CURLMOPT_SOCKETFUNCTION, "CURLMOPT_SOCKETFUNCTION", &CurlMulti::on_socket);
  set(multi_, CURLMOPT_SOCKETDATA, "CURLMOPT_SOCKETDATA", this);
  set(multi_, CURLMOPT_TIMERFUNCTION, "CURLMOPT_TIMERFUNCTION", &CurlMulti::on_timer);
  set(multi_, CURLMOPT_TIMERDATA, "CURLMOPT_TIMERDATA", this);
}

CurlMulti::~CurlMulti() {
  // Cleanup may still call the socket callback (closing cached connections): the loop and this
  // object are alive here, so let it.
  curl_multi_cleanup(multi_);
  loop_.remove_timer(&deadline_);
  loop_.remove_timer(&batch_);
  // Sockets curl never reported as removed (a connection closed while the pool was full).
  while (sockets_ != nullptr) {
    Socket* s = sockets_;
    sockets_ = s->next;
    loop_.unwatch(s->io, s->fd);
    delete s;
  }
}

int CurlMulti::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void* socketp) {
  auto* self = static_cast<CurlMulti*>(userp);
  auto* sock = static_cast<Socket*>(socketp);
  if (what == CURL_POLL_REMOVE) {
    if (sock != nullptr) {
      self->loop_.unwatch(sock->io, fd);  // tolerates an fd curl already closed
      self->unlink_socket(sock);
      if (sock->deferred_mask >= 0) std::erase(self->batched_, sock);
      if (self->acting_ == sock) self->acting_ = nullptr;
      delete sock;
      curl_multi_assign(self->multi_, fd, nullptr);
    }
    return 0;
  }
  std::uint32_t events = epoll_events_for(what);
  try {
    if (sock == nullptr) {
      auto* fresh = new Socket(self, fd);
      try {
        fresh->io = self->loop_.watch(fd, events, fresh);
      } catch (...) {
        delete fresh;
        throw;
      }
      fresh->interest = events;
      self->link_socket(fresh);
      curl_multi_assign(self->multi_, fd, fresh);
    } else {
      sock->interest = events;
      // A deferred socket stays unwatched until its turn; then it gets this interest back.
      if (sock->deferred_mask < 0) self->loop_.modify(sock->io, fd, events);
    }
  } catch (...) {
    // Returning -1 would abort every transfer of the multi handle. Leave the socket unwatched:
    // curl's own timeouts end the transfers that use it.
  }
  return 0;
}

int CurlMulti::on_timer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<CurlMulti*>(userp);
  // Only record the deadline: calling back into curl from here is forbidden (recursion).
  if (timeout_ms < 0) {
    self->loop_.remove_timer(&self->deadline_);
  } else {
    self->loop_.add_timer(&self->deadline_, Clock::now() + std::chrono::milliseconds(timeout_ms));
  }
  return 0;
}

void CurlMulti::Deadline::on_timer() noexcept {
  multi_->socket_action(CURL_SOCKET_TIMEOUT, 0);
}

// libcurl 7.88 runs every transfer sharing a socket on each of its events: with 50 HTTP/2
// streams on one connection, acting on every few bytes costs 50 transfer runs each time. A
// socket that carries many transfers is acted on at most once per batch window, with all that
// arrived meanwhile (curl's own tool gets the same effect from a slow poll loop).
bool CurlMulti::defer(Socket* s, int mask) noexcept {
  if ((mask & CURL_CSELECT_ERR) != 0) {
    // An error or hang-up: act now (epoll reports them even unwatched: waiting would spin).
    if (s->deferred_mask >= 0) {
      std::erase(batched_, s);
      restore(s);
    }
    return false;
  }
  if (s->deferred_mask >= 0) {
    s->deferred_mask |= mask;
    return true;
  }
  if (batch_window_.count() <= 0 || !s->multiplexed || in_flight_ <= sockets_count_) {
    return false;
  }
  const Clock::time_point now = Clock::now();
  if (now - s->last_action >= batch_window_) {
    s->last_action = now;
    return false;
  }
  try {
    batched_.push_back(s);
    loop_.modify(s->io, s->fd, 0);
  } catch (...) {
    std::erase(batched_, s);
    return false;  // act now instead
  }
  s->deferred_mask = mask;
  if (!batch_.armed()) loop_.add_timer(&batch_, s->last_action + batch_window_);
  return true;
}

void CurlMulti::Batch::on_timer() noexcept {
  multi_->run_batch();
}

void CurlMulti::run_batch() noexcept {
  const Clock::time_point now = Clock::now();
  while (!batched_.empty()) {
    Socket* s = batched_.back();
    batched_.pop_back();
    const int mask = s->deferred_mask;
    s->last_action = now;
    restore(s);
    act_on(s, mask);  // may delete s, and take others out of batched_
  }
}

// Out of the batch: watched again for what curl asked.
void CurlMulti::restore(Socket* s) noexcept {
  s->deferred_mask = -1;
  try {
    loop_.modify(s->io, s->fd, s->interest);
  } catch (...) {
    // Unwatched: curl's own timeouts end its transfers.
  }
}

// One event on a socket that ends two transfers or more shows a multiplexed (HTTP/2)
// connection: only such sockets are batched. (libcurl tells no more: a transfer that ends on a
// connection still in use by others does not report its socket.)
void CurlMulti::act_on(Socket* s, int mask) noexcept {
  acting_ = s;
  const std::size_t ended = socket_action(s->fd, mask);
  if (acting_ != nullptr && ended >= 2) acting_->multiplexed = true;  // s if it still exists
  acting_ = nullptr;
}

std::size_t CurlMulti::socket_action(curl_socket_t fd, int mask) noexcept {
  int running = 0;
  ++in_curl_;
  CURLMcode rc = curl_multi_socket_action(multi_, fd, mask, &running);
  --in_curl_;
  const std::size_t ended = drain_messages();
  for (TransferAwaiter* t : deferred_removals_) remove(t);
  deferred_removals_.clear();
  // CURLM_BAD_SOCKET: an event for a socket curl already let go of; harmless.
  if (rc != CURLM_OK && rc != CURLM_BAD_SOCKET) {
    fail_all(rc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT);
  }
  return ended;
}

std::size_t CurlMulti::drain_messages() noexcept {
  std::size_t ended = 0;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // The message dies with remove_handle: copy what we need first.
    CURL* easy = msg->easy_handle;
    CURLcode result = msg->data.result;
    char* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    auto* t = reinterpret_cast<TransferAwaiter*>(priv);
    ++ended;
    if (t == nullptr) {
      curl_multi_remove_handle(multi_, easy);
      continue;
    }
    remove(t);
    if (!t->cancelled_) t->complete(result);
  }
  return ended;
}

void CurlMulti::fail_all(CURLcode code) noexcept {
  // After a failed socket_action the state of every transfer is uncertain: end them all.
  while (transfers_ != nullptr) {
    TransferAwaiter* t = transfers_;
    remove(t);
    if (!t->cancelled_) t->complete(code);
  }
}

void CurlMulti::remove(TransferAwaiter* t) noexcept {
  if (!t->active_) return;
  curl_multi_remove_handle(multi_, t->easy_);
  t->active_ = false;
  if (t->prev_ != nullptr) {
    t->prev_->next_ = t->next_;
  } else {
    transfers_ = t->next_;
  }
  if (t->next_ != nullptr) t->next_->prev_ = t->prev_;
  t->prev_ = t->next_ = nullptr;
  --in_flight_;
  loop_.release();
}

void CurlMulti::link_socket(Socket* s) noexcept {
  ++sockets_count_;
  s->next = sockets_;
  if (sockets_ != nullptr) sockets_->prev = s;
  sockets_ = s;
}

void CurlMulti::unlink_socket(Socket* s) noexcept {
  --sockets_count_;
  if (s->prev != nullptr) {
    s->prev->next = s->next;
  } else {
    sockets_ = s->next;
  }
  if (s->next != nullptr) s->next->prev = s->prev;
}

CurlMulti::TransferAwaiter::~TransferAwaiter() {
  if (active_) multi_->remove(this);
  auto& deferred = multi_->deferred_removals_;
  deferred.erase(std::remove(deferred.begin(), deferred.end(), this), deferred.end());
}

bool CurlMulti::TransferAwaiter::await_suspend(std::coroutine_handle<> h) noexcept {
  context_ = detail::current_context;
  if (detail::cancel_requested()) {
    cancelled_ = true;
    return false;
  }
  handle_ = h;
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  ++multi_->in_curl_;
  CURLMcode rc = curl_multi_add_handle(multi_->multi_, easy_);
  --multi_->in_curl_;
  if (rc != CURLM_OK) {
    result_ = rc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
    return false;
  }
  active_ = true;
  next_ = multi_->transfers_;
  if (next_ != nullptr) next_->prev_ = this;
  multi_->transfers_ = this;
  ++multi_->in_flight_;
  multi_->peak_in_flight_ = std::max(multi_->peak_in_flight_, multi_->in_flight_);
  multi_->loop_.hold();
  reg_.attach(context_, &TransferAwaiter::on_cancel, this);
  return true;
}

CURLcode CurlMulti::TransferAwaiter::await_resume() {
  reg_.reset();
  if (cancelled_) throw Cancelled{};
  return result_;
}

void CurlMulti::TransferAwaiter::on_cancel(void* self) noexcept {
  auto* t = static_cast<TransferAwaiter*>(self);
  t->cancelled_ = true;
  if (t->multi_->in_curl_ > 0) {
    // curl_multi_remove_handle is not allowed inside a curl call: do it right after.
    t->multi_->deferred_removals_.push_back(t);
  } else {
    t->multi_->remove(t);
  }
  t->multi_->loop_.schedule(t->handle_, t->context_);
}

void CurlMulti::TransferAwaiter::complete(CURLcode result) noexcept {
  reg_.reset();
  result_ = result;
  multi_->loop_.schedule(handle_, context_);
}

}  // namespace acrawl::rt
