#include "runtime/redis.hpp"

#include <hiredis/hiredis.h>
#include <sys/epoll.h>

#include <coroutine>
#include <utility>

#include "runtime/cancel.hpp"

namespace acrawl::rt {

namespace {

RedisReply copy_reply(const redisReply* r) {
  RedisReply out;
  if (r == nullptr) return out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i)
        out.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      break;  // nil
  }
  return out;
}

}  // namespace

// A command waiting for its reply. Owned by its awaiter until the wait is cancelled; then by the
// reply callback, which frees it.
struct RedisConnection::Pending {
  std::coroutine_handle<> handle;
  CancelState* context = nullptr;
  CancelRegistration reg;
  RedisReply reply;
  std::string error;  // the connection was lost
  bool done = false;
  bool abandoned = false;
  bool cancelled = false;

  static void on_cancel(void* p) noexcept {
    auto* self = static_cast<Pending*>(p);
    self->abandoned = true;
    self->cancelled = true;
    Loop::current().schedule(self->handle, self->context);
  }
};

// connect()'s wait for the outcome.
struct RedisConnection::Connecting {
  std::coroutine_handle<> handle;
  CancelState* context = nullptr;
  bool done = false;
  std::string error;
};

void RedisConnection::ev_add_read(void* self) {
  auto* c = static_cast<RedisConnection*>(self);
  c->want_read_ = true;
  c->update_watch();
}
void RedisConnection::ev_del_read(void* self) {
  auto* c = static_cast<RedisConnection*>(self);
  c->want_read_ = false;
  c->update_watch();
}
void RedisConnection::ev_add_write(void* self) {
  auto* c = static_cast<RedisConnection*>(self);
  c->want_write_ = true;
  c->update_watch();
}
void RedisConnection::ev_del_write(void* self) {
  auto* c = static_cast<RedisConnection*>(self);
  c->want_write_ = false;
  c->update_watch();
}
void RedisConnection::ev_cleanup(void* self) {
  auto* c = static_cast<RedisConnection*>(self);
  if (c->io_.valid()) c->loop_->unwatch(c->io_, c->fd_);
  c->io_ = {};
  c->want_read_ = c->want_write_ = false;
}

void RedisConnection::update_watch() noexcept {
  const std::uint32_t events = (want_read_ ? EPOLLIN : 0u) | (want_write_ ? EPOLLOUT : 0u);
  try {
    if (!io_.valid()) {
      if (events == 0) return;
      io_ = loop_->watch(fd_, events, this);
    } else {
      loop_->modify(io_, fd_, events);
    }
  } catch (...) {
    lose("cannot watch the connection's socket");
  }
}

void RedisConnection::on_io(std::uint32_t events) noexcept {
  if (ctx_ == nullptr) return;
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) redisAsyncHandleRead(ctx_);
  // hiredis frees the context when the connection ends (on_disconnect clears ctx_).
  if (ctx_ != nullptr && (events & (EPOLLOUT | EPOLLERR)) != 0) redisAsyncHandleWrite(ctx_);
}

void RedisConnection::on_timer() noexcept {
  if (connecting_ == nullptr || connecting_->done) return;
  connecting_->done = true;
  connecting_->error = "timed out";
  loop_->schedule(connecting_->handle, connecting_->context);
}

void RedisConnection::on_connect(const redisAsyncContext* c, int status) {
  auto* self = static_cast<RedisConnection*>(c->data);
  if (status != REDIS_OK) {
    self->error_ = c->errstr[0] != '\0' ? c->errstr : "cannot connect";
    self->lost_ = true;
    self->ctx_ = nullptr;  // hiredis frees it after this callback
  }
  if (self->connecting_ != nullptr && !self->connecting_->done) {
    self->connecting_->done = true;
    if (status != REDIS_OK) self->connecting_->error = self->error_;
    self->loop_->schedule(self->connecting_->handle, self->connecting_->context);
  }
}

void RedisConnection::on_disconnect(const redisAsyncContext* c, int status) {
  auto* self = static_cast<RedisConnection*>(c->data);
  if (status != REDIS_OK && self->error_.empty()) {
    self->error_ = c->errstr[0] != '\0' ? c->errstr : "connection lost";
  }
  if (self->error_.empty()) self->error_ = "connection closed";
  self->lost_ = true;
  self->ctx_ = nullptr;  // hiredis frees it after this callback
}

void RedisConnection::on_reply(redisAsyncContext* c, void* reply, void* privdata) {
  auto* p = static_cast<Pending*>(privdata);
  if (p->abandoned) {
    delete p;
    return;
  }
  if (reply == nullptr) {
    const auto* self = static_cast<RedisConnection*>(c->data);
    p->error = c->errstr[0] != '\0'   ? c->errstr
               : self->error_.empty() ? "connection lost"
                                      : self->error_;
  } else {
    try {
      p->reply = copy_reply(static_cast<const redisReply*>(reply));
    } catch (...) {
      p->error = "out of memory reading a reply";
    }
  }
  p->done = true;
  p->reg.reset();
  Loop::current().schedule(p->handle, p->context);
}

void RedisConnection::lose(std::string why) noexcept {
  if (error_.empty()) error_ = std::move(why);
  lost_ = true;
  if (ctx_ != nullptr) {
    redisAsyncContext* c = ctx_;
    redisAsyncDisconnect(c);  // pending replies get nullptr; on_disconnect clears ctx_
  }
}

Task<std::unique_ptr<RedisConnection>> RedisConnection::connect(std::string host, int port,
                                                                std::chrono::milliseconds timeout) {
  std::unique_ptr<RedisConnection> conn(new RedisConnection());
  conn->loop_ = &Loop::current();
  conn->ctx_ = redisAsyncConnect(host.c_str(), port);
  if (conn->ctx_ == nullptr)
    throw RedisError("redis " + host + ":" + std::to_string(port) + ": out of memory");
  if (conn->ctx_->err != 0) {
    std::string why = conn->ctx_->errstr;
    redisAsyncFree(conn->ctx_);
    conn->ctx_ = nullptr;
    throw RedisError("redis " + host + ":" + std::to_string(port) + ": " + why);
  }
  conn->fd_ = conn->ctx_->c.fd;
  conn->ctx_->data = conn.get();
  conn->ctx_->ev.data = conn.get();
  conn->ctx_->ev.addRead = &RedisConnection::ev_add_read;
  conn->ctx_->ev.delRead = &RedisConnection::ev_del_read;
  conn->ctx_->ev.addWrite = &RedisConnection::ev_add_write;
  conn->ctx_->ev.delWrite = &RedisConnection::ev_del_write;
  conn->ctx_->ev.cleanup = &RedisConnection::ev_cleanup;
  redisAsyncSetDisconnectCallback(conn->ctx_, &RedisConnection::on_disconnect);
  // Setting it asks for write readiness: the connection is made when the socket is writable.
  redisAsyncSetConnectCallback(conn->ctx_, &RedisConnection::on_connect);

  Connecting wait;
  conn->connecting_ = &wait;
  conn->loop_->add_timer(conn.get(), Clock::now() + timeout);
  struct Awaiter {
    explicit Awaiter(Connecting* waiting) noexcept : w(waiting) {}
    Connecting* w;
    CancelRegistration reg;
    bool cancelled = false;
    bool await_ready() const noexcept { return w->done; }
    bool await_suspend(std::coroutine_handle<> h) {
      w->handle = h;
      w->context = detail::current_context;
      if (!reg.attach(w->context, &Awaiter::on_cancel, this) && detail::cancel_requested()) {
        cancelled = true;
        return false;
      }
      return true;
    }
    void await_resume() {
      reg.reset();
      if (cancelled) throw Cancelled{};
    }
    static void on_cancel(void* p) noexcept {
      auto* a = static_cast<Awaiter*>(p);
      a->cancelled = true;
      if (!a->w->done) {
        a->w->done = true;
        Loop::current().schedule(a->w->handle, a->w->context);
      }
    }
  };
  try {
    co_await Awaiter(&wait);
  } catch (...) {
    conn->loop_->remove_timer(conn.get());
    conn->connecting_ = nullptr;
    throw;
  }
  conn->loop_->remove_timer(conn.get());
  conn->connecting_ = nullptr;
  if (!wait.error.empty() || !conn->connected()) {
    const std::string why = !wait.error.empty() ? wait.error : conn->error_;
    throw RedisError("redis " + host + ":" + std::to_string(port) + ": " + why);
  }
  co_return conn;
}

RedisConnection::~RedisConnection() {
  if (loop_ != nullptr) loop_->remove_timer(this);
  if (ctx_ != nullptr) {
    redisAsyncContext* c = ctx_;
    if (error_.empty()) error_ = "connection closed";
    lost_ = true;
    // Frees the context: pending replies get nullptr, cleanup unwatches the socket. hiredis
    // calls on_disconnect only for an established connection; ctx_ is cleared either way.
    redisAsyncFree(c);
    ctx_ = nullptr;
  }
  if (io_.valid()) loop_->unwatch(io_, fd_);
}

Task<RedisReply> RedisConnection::command(std::vector<std::string> argv) {
  if (!connected())
    throw RedisError("redis: " + (error_.empty() ? std::string("not connected") : error_));
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* p = new Pending();
  if (redisAsyncCommandArgv(ctx_, &RedisConnection::on_reply, p, static_cast<int>(args.size()),
                            args.data(), lens.data()) != REDIS_OK) {
    delete p;
    throw RedisError("redis: cannot send a command: " + error_);
  }
  struct Awaiter {
    Pending* p;
    bool await_ready() const noexcept { return p->done; }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      p->handle = h;
      p->context = detail::current_context;
      if (!p->reg.attach(p->context, &Pending::on_cancel, p) && detail::cancel_requested()) {
        p->abandoned = true;  // the reply callback frees it
        p->cancelled = true;
        return false;
      }
      return true;
    }
    void await_resume() const noexcept {}
  };
  co_await Awaiter{p};
  if (p->cancelled) throw Cancelled{};  // p belongs to the reply callback now
  std::unique_ptr<Pending> owned(p);
  if (!owned->error.empty()) throw RedisError("redis: " + owned->error);
  co_return std::move(owned->reply);
}

}  // namespace acrawl::rt
