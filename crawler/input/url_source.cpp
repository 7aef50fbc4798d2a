#include "crawler/input/url_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

#include "crawler/text/ascii.hpp"
#include "crawler/url/check.hpp"

namespace acrawl::crawler {

namespace {
constexpr std::size_t kReadBytes = 64 * 1024;
}  // namespace

bool looks_like_url(const std::string& arg) {
  return !url_scheme(arg).empty();
}

UrlSource::UrlSource(std::vector<std::string> inputs) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  for (auto& arg : inputs) {
    Input in;
    in.arg = arg;
    if (arg == "-") {
      in.fd = STDIN_FILENO;
    } else if (!looks_like_url(arg)) {
      // Non-blocking only to open: a FIFO without a writer must not hold up the start (signals
      // are blocked by then); reads block again, or wait in poll().
      in.fd = ::open(arg.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (in.fd >= 0) ::fcntl(in.fd, F_SETFL, ::fcntl(in.fd, F_GETFL) & ~O_NONBLOCK);
      if (in.fd < 0) {
        const int err = errno;
        close_all();
        throw InputError("cannot open input file '" + arg + "': " + std::strerror(err));
      }
      in.owned = true;
    }
    if (in.fd >= 0) {
      struct stat st {};
      in.waits = ::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode);
      may_block_ = may_block_ || in.waits;
    }
    inputs_.push_back(std::move(in));
  }
}

UrlSource::~UrlSource() {
  close_all();
}

void UrlSource::close_all() noexcept {
  for (auto& in : inputs_) {
    if (in.owned) ::close(in.fd);
    in.owned = false;
  }
  if (stop_fd_ >= 0) ::close(stop_fd_);
  stop_fd_ = -1;
}

void UrlSource::stop() noexcept {
  stopped_.store(true, std::memory_order_relaxed);
  const std::uint64_t one = 1;
  ssize_t r = ::write(stop_fd_, &one, sizeof one);
  (void)r;
}

// Until in.fd (a pipe, a terminal) has bytes, its end or an error for read() to report: true;
// or until stop() is called: false.
bool UrlSource::wait_readable(const Input& in) const {
  for (;;) {
    pollfd fds[2] = {{in.fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int r = ::poll(fds, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw InputError("cannot wait for input '" + in.arg + "': " + std::strerror(errno));
    if ((fds[1].revents & POLLIN) != 0) return false;
    return true;
  }
}

UrlSource::Fill UrlSource::fill(Input& in) {
  if (in.waits && !wait_readable(in)) return Fill::stopped;
  // Keep the unread tail, drop what was taken.
  buffer_.erase(0, buffer_pos_);
  buffer_pos_ = 0;
  const std::size_t old = buffer_.size();
  buffer_.resize(old + kReadBytes);
  ssize_t n;
  do {
    n = ::read(in.fd, buffer_.data() + old, kReadBytes);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int err = errno;
    buffer_.resize(old);
    throw InputError("cannot read input '" + in.arg + "': " + std::strerror(err));
  }
  buffer_.resize(old + static_cast<std::size_t>(n));
  if (n == 0) in.eof = true;
  return n == 0 ? Fill::end : Fill::data;
}

bool UrlSource::line_buffered() const {
  return buffer_.find('\n', buffer_pos_) != std::string::npos;
}

bool UrlSource::more_without_waiting() const {
  if (current_ >= inputs_.size() || stopped_.load(std::memory_order_relaxed)) return false;
  const Input& in = inputs_[current_];
  if (in.fd < 0 || !in.waits || in.eof || line_buffered()) return true;
  pollfd p{in.fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

std::vector<InputItem> UrlSource::next_batch(std::size_t max) {
  std::vector<InputItem> batch;
  while (batch.size() < max && (batch.empty() || more_without_waiting())) {
    std::optional<InputItem> item = next();
    if (!item) break;
    batch.push_back(std::move(*item));
  }
  return batch;
}

void UrlSource::finish_input(Input& in) noexcept {
  if (in.owned) ::close(in.fd);
  in.owned = false;
  ++current_;
  line_in_current_ = 0;
  skipping_long_line_ = false;
  buffer_.clear();
  buffer_pos_ = 0;
}

std::optional<InputItem> UrlSource::next() {
  while (current_ < inputs_.size()) {
    if (stopped_.load(std::memory_order_relaxed)) return std::nullopt;
    Input& in = inputs_[current_];
    if (in.fd < 0) {
      ++current_;
      ++lines_;
      return InputItem{in.arg, "argument " + std::to_string(current_)};
    }
    // One line: up to a newline, or the rest at the end of the input. Bytes of an overlong line
    // are dropped as they come, so memory stays bounded whatever the input.
    std::size_t eol = buffer_.find('\n', buffer_pos_);
    while (eol == std::string::npos && !in.eof) {
      if (buffer_.size() - buffer_pos_ > kMaxLineBytes) {
        if (!skipping_long_line_) long_line_start_ = buffer_.substr(buffer_pos_, kKeptBytes);
        skipping_long_line_ = true;
        buffer_.clear();
        buffer_pos_ = 0;
      }
      const std::size_t unread = buffer_.size() - buffer_pos_;
      if (fill(in) == Fill::stopped) return std::nullopt;
      eol = buffer_.find('\n', unread);  // fill() moved the unread bytes to the front
    }
    std::string_view line;
    if (eol != std::string::npos) {
      line = std::string_view(buffer_).substr(buffer_pos_, eol - buffer_pos_);
      buffer_pos_ = eol + 1;
    } else if (buffer_pos_ < buffer_.size() || skipping_long_line_) {
      line = std::string_view(buffer_).substr(buffer_pos_);  // a last line without a newline
      buffer_pos_ = buffer_.size();
    } else {
      finish_input(in);
      continue;
    }
    ++line_in_current_;
    const std::string name = in.arg == "-" ? std::string("stdin") : in.arg;
    if (skipping_long_line_ || line.size() > kMaxLineBytes) {
      std::string start = skipping_long_line_ ? std::move(long_line_start_)
                                              : std::string(line.substr(0, kKeptBytes));
      skipping_long_line_ = false;
      ++lines_;
      return InputItem{std::move(start), name + ":" + std::to_string(line_in_current_), true};
    }
    if (line_in_current_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    line = ascii::trim_ascii_ws(line);
    if (line.empty() || line.front() == '#') continue;
    ++lines_;
    return InputItem{std::string(line), name + ":" + std::to_string(line_in_current_)};
  }
  return std::nullopt;
}

}  // namespace acrawl::crawler
