#pragma once
// WaitList<W>: an intrusive FIFO of waiting awaiters. W has members `W* prev_`, `W* next_` and
// `bool linked_` and befriends WaitList<W>. No allocation; removal in O(1) from anywhere, so a
// cancelled waiter can leave the middle of the line.

namespace acrawl::rt::detail {

template <class W>
struct WaitList {
  W* head = nullptr;
  W* tail = nullptr;

  bool empty() const noexcept { return head == nullptr; }
  void push_back(W* w) noexcept {
    w->prev_ = tail;
    w->next_ = nullptr;
    if (tail != nullptr) {
      tail->next_ = w;
    } else {
      head = w;
    }
    tail = w;
    w->linked_ = true;
  }
  // No effect on a waiter that is not linked.
  void remove(W* w) noexcept {
    if (!w->linked_) return;
    if (w->prev_ != nullptr) {
      w->prev_->next_ = w->next_;
    } else {
      head = w->next_;
    }
    if (w->next_ != nullptr) {
      w->next_->prev_ = w->prev_;
    } else {
      tail = w->prev_;
    }
    w->linked_ = false;
  }
  W* pop_front() noexcept {
    W* w = head;
    if (w != nullptr) remove(w);
    return w;
  }
};

}  // namespace acrawl::rt::detail
