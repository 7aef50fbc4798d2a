#include "runtime/cancel.hpp"

namespace acrawl::rt {

bool CancelRegistration::attach(CancelState* state, Callback fn, void* arg) noexcept {
  reset();
  if (state == nullptr || state->cancelled_) return false;
  state_ = state;
  fn_ = fn;
  arg_ = arg;
  prev_ = state->tail_;
  next_ = nullptr;
  if (state->tail_ != nullptr) {
    state->tail_->next_ = this;
  } else {
    state->head_ = this;
  }
  state->tail_ = this;
  return true;
}

void CancelRegistration::unlink() noexcept {
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    state_->head_ = next_;
  }
  if (next_ != nullptr) {
    next_->prev_ = prev_;
  } else {
    state_->tail_ = prev_;
  }
  state_ = nullptr;
  prev_ = next_ = nullptr;
}

CancelState::~CancelState() {
  // Registrations outliving their state would dangle; detach them (they will never fire).
  while (head_ != nullptr) head_->reset();
}

void CancelState::cancel() noexcept {
  if (cancelled_) return;
  cancelled_ = true;
  // Pop one at a time: a callback may reset other registrations of this state.
  while (head_ != nullptr) {
    CancelRegistration* reg = head_;
    auto fn = reg->fn_;
    void* arg = reg->arg_;
    reg->reset();
    fn(arg);
  }
}

}  // namespace acrawl::rt
