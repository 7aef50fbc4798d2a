#pragma once
// Ring<T>: a fixed-capacity FIFO of T (capacity rounded up to a power of two).

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace acrawl::rt::detail {

template <class T>
class Ring {
 public:
  explicit Ring(std::size_t min_capacity) {
    std::size_t cap = 1;
    while (cap < min_capacity) cap <<= 1;
    mask_ = cap - 1;
    slots_ = std::allocator<T>().allocate(cap);
  }
  ~Ring() {
    while (size_ > 0) pop_front();
    std::allocator<T>().deallocate(slots_, mask_ + 1);
  }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == mask_ + 1; }

  // Precondition: !full().
  void push_back(T&& v) {
    ::new (static_cast<void*>(slots_ + ((head_ + size_) & mask_))) T(std::move(v));
    ++size_;
  }
  // Precondition: !empty().
  T pop_front() {
    T* slot = slots_ + head_;
    T v = std::move(*slot);
    slot->~T();
    head_ = (head_ + 1) & mask_;
    --size_;
    return v;
  }

 private:
  T* slots_ = nullptr;
  std::size_t mask_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace acrawl::rt::detail
