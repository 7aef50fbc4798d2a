#include "runtime/detail/frame_allocator.hpp"

namespace acrawl::rt::detail {

namespace {
struct Reaper {
  void (*free_all)() = nullptr;
  ~Reaper() {
    if (free_all != nullptr) free_all();
  }
};
thread_local Reaper reaper;
}  // namespace

void FrameAllocator::arm_reaper() noexcept {
  lists.reaper_armed = true;
  reaper.free_all = [] {
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (Node* node = lists.head[c]) {
        lists.head[c] = node->next;
        ::operator delete(node);
      }
      lists.count[c] = 0;
    }
  };
}

}  // namespace acrawl::rt::detail
