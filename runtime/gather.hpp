#pragma once
// gather, gather_settled and gather_windowed: run tasks concurrently and collect their results
// in order. Structured: no child outlives the call, whatever happens.

#include <cstddef>
#include <deque>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/detail/fan_out.hpp"
#include "runtime/scope.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/task.hpp"

namespace acrawl::rt {

// void results are represented as std::monostate.
template <class T>
using Value = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// The outcome of one task: its value or its exception (Cancelled included).
template <class T>
class Outcome {
 public:
  static Outcome success(Value<T> v) {
    Outcome o;
    o.value_.emplace(std::move(v));
    return o;
  }
  static Outcome failure(std::exception_ptr e) {
    Outcome o;
    o.error_ = std::move(e);
    return o;
  }
  bool ok() const noexcept { return !error_; }
  const std::exception_ptr& error() const noexcept { return error_; }
  // The value, or the exception rethrown.
  Value<T>& value() {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }

 private:
  std::optional<Value<T>> value_;
  std::exception_ptr error_;
};

namespace detail {

template <class T>
Value<T> take_value(JoinHandle<T>& h) {
  if constexpr (std::is_void_v<T>) {
    h.result();
    return {};
  } else {
    return h.result();
  }
}

template <class T>
Task<void> fill_slot(Task<T> task, std::deque<std::optional<Value<T>>>* out, std::size_t i,
                     Semaphore::Permit permit) {
  (void)permit;  // held until the task is done
  if constexpr (std::is_void_v<T>) {
    co_await std::move(task);
    (*out)[i].emplace();
  } else {
    T v = co_await std::move(task);
    (*out)[i].emplace(std::move(v));
  }
}

// Takes a slot before asking for the next task, so at most `window` tasks ever exist.
template <class Next, class T>
Task<void> feed_window(Scope& scope, Next next, Semaphore* slots,
                       std::deque<std::optional<Value<T>>>* out) {
  for (;;) {
    Semaphore::Permit permit = co_await slots->acquire();
    std::optional<Task<T>> task = next();
    if (!task) break;
    out->emplace_back();
    scope.spawn(fill_slot(std::move(*task), out, out->size() - 1, std::move(permit)));
  }
}

}  // namespace detail

// Runs every task concurrently and returns their values in argument order. On the first
// failure the others are cancelled and awaited, then that first error is rethrown. When the
// caller is cancelled, the children are cancelled, awaited, and Cancelled is thrown.
template <class... Ts>
Task<std::tuple<Value<Ts>...>> gather(Task<Ts>... tasks) {
  Scope scope;
  std::tuple<JoinHandle<Ts>...> handles{scope.spawn(std::move(tasks))...};
  co_await scope.join();
  co_return std::apply(
      [](auto&... h) { return std::tuple<Value<Ts>...>{detail::take_value(h)...}; }, handles);
}

// The same over a vector: values in order (std::monostate for void tasks).
template <class T>
Task<std::vector<Value<T>>> gather(std::vector<Task<T>> tasks) {
  detail::FanOut<T> fan(std::move(tasks), true);
  co_await fan.run();
  if (fan.first_error()) std::rethrow_exception(fan.first_error());
  if (detail::cancel_requested()) throw Cancelled{};
  std::vector<Value<T>> values;
  values.reserve(fan.size());
  for (std::size_t i = 0; i < fan.size(); ++i) {
    if (!fan.value(i)) std::rethrow_exception(fan.error(i));  // a child that cancelled itself
    if constexpr (std::is_void_v<T>) {
      values.emplace_back();
    } else {
      values.push_back(std::move(*fan.value(i)));
    }
  }
  co_return values;
}

// Runs every task to its end, whatever the others do, and returns one Outcome per task, in
// order. A failing task cancels nothing. Does not swallow its own cancellation: when the
// caller is cancelled, the children are cancelled and awaited, then Cancelled is thrown.
template <class T>
Task<std::vector<Outcome<T>>> gather_settled(std::vector<Task<T>> tasks) {
  detail::FanOut<T> fan(std::move(tasks), false);
  co_await fan.run();
  if (detail::cancel_requested()) throw Cancelled{};
  std::vector<Outcome<T>> outcomes;
  outcomes.reserve(fan.size());
  for (std::size_t i = 0; i < fan.size(); ++i) {
    if (!fan.value(i)) {
      outcomes.push_back(Outcome<T>::failure(fan.error(i)));
    } else if constexpr (std::is_void_v<T>) {
      outcomes.push_back(Outcome<T>::success({}));
    } else {
      outcomes.push_back(Outcome<T>::success(std::move(*fan.value(i))));
    }
  }
  co_return outcomes;
}

// gather over a lazy sequence with at most `window` tasks running at once: next() returns the
// next task, or nullopt at the end; it is called only when a slot is free, so a huge or endless
// sequence never has more than `window` tasks in existence. Results come back in production
// order. Failure and cancellation as in gather.
template <class T, class Next>
Task<std::vector<Value<T>>> gather_windowed(Next next, std::size_t window) {
  std::deque<std::optional<Value<T>>> out;
  Semaphore slots(window == 0 ? 1 : window);  // outlives the scope: children hold its permits
  co_await with_scope(detail::feed_window<Next, T>, std::move(next), &slots, &out);
  std::vector<Value<T>> values;
  values.reserve(out.size());
  for (auto& v : out) values.push_back(std::move(*v));
  co_return values;
}

}  // namespace acrawl::rt
