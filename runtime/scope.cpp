#include "runtime/scope.hpp"

#include <cstdio>
#include <cstdlib>

namespace acrawl::rt {

namespace detail {

bool is_cancellation(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const Cancelled&) {
    return true;
  } catch (...) {
    return false;
  }
}

void SpawnBase::add_waiter(OnceWaiter* w) noexcept {
  w->prev = nullptr;
  w->next = waiters_;
  if (waiters_ != nullptr) waiters_->prev = w;
  waiters_ = w;
  w->linked = true;
}

void SpawnBase::remove_waiter(OnceWaiter* w) noexcept {
  if (!w->linked) return;
  if (w->prev != nullptr) {
    w->prev->next = w->next;
  } else {
    waiters_ = w->next;
  }
  if (w->next != nullptr) w->next->prev = w->prev;
  w->linked = false;
}

void SpawnBase::on_task_done(void* self) noexcept {
  auto* s = static_cast<SpawnBase*>(self);
  s->done_ = true;
  s->ended_by_cancel_ = is_cancellation(s->promise().error);
  s->deliver();
  Loop& loop = Loop::current();
  while (s->waiters_ != nullptr) {
    OnceWaiter* w = s->waiters_;
    s->remove_waiter(w);
    loop.schedule(w->handle, w->context);
  }
  s->scope_->child_done(s);
}

}  // namespace detail

Scope::Scope() noexcept : cancel_(detail::current_context) {
  children_link_.attach(&cancel_, &Scope::cancel_children, this);
}

void Scope::cancel_children(void* self) noexcept {
  for (detail::SpawnBase* c = static_cast<Scope*>(self)->children_; c != nullptr; c = c->next_) {
    c->cancel();
  }
}

Scope::~Scope() {
  if (active_ > 0 || (ever_spawned_ && !joined_)) {
    std::fprintf(stderr,
                 "acrawl::rt::Scope destroyed without join() (%zu children still running): "
                 "a structured-concurrency bug\n",
                 active_);
    std::abort();
  }
}

void Scope::link(detail::SpawnBase* child) noexcept {
  child->next_ = children_;
  if (children_ != nullptr) children_->prev_ = child;
  children_ = child;
  ++active_;
  ever_spawned_ = true;
}

void Scope::child_done(detail::SpawnBase* child) noexcept {
  if (child->prev_ != nullptr) {
    child->prev_->next_ = child->next_;
  } else {
    children_ = child->next_;
  }
  if (child->next_ != nullptr) child->next_->prev_ = child->prev_;
  child->prev_ = child->next_ = nullptr;

  std::exception_ptr error = child->promise().error;
  if (error && !child->was_cancelled() && !first_error_) {
    first_error_ = error;
    cancel_.cancel();
  }
  --active_;
  if (active_ == 0 && joiner_ != nullptr) {
    Loop::current().schedule(joiner_->handle, joiner_->context);
    joiner_ = nullptr;
  }
  child->drop_ref();  // may destroy the child's frame: it is suspended at its final point
}

void Scope::finish_join() {
  joined_ = true;
  if (first_error_) std::rethrow_exception(first_error_);
  if (detail::cancel_requested()) throw Cancelled{};
}

}  // namespace acrawl::rt
