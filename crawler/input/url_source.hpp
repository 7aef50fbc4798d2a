#pragma once
// UrlSource: the crawl's input, read lazily one URL at a time, so a list of ten million lines
// is never held in memory. Inputs are files (one URL per line; blank lines and `#` comments
// skipped; CR before LF tolerated), `-` for standard input, or URLs given directly.

#include <atomic>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace acrawl::crawler {

struct InputItem {
  std::string url;
  std::string where;  // "urls.txt:12", "stdin:3" or "argument 2", for messages
  // The line was longer than UrlSource::kMaxLineBytes: url holds only its first
  // kKeptBytes, and the line is recorded as invalid_url, never fetched.
  bool too_long = false;
};

// Thrown when an input file cannot be opened or read.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True when arg names a URL rather than a file (it starts with a scheme).
bool looks_like_url(const std::string& arg);

class UrlSource {
 public:
  // A line longer than this is not a URL anyone can fetch (and a file that is not a list of
  // URLs must not fill the memory): its first kKeptBytes are kept for its record, the rest is
  // dropped as it is read.
  static constexpr std::size_t kMaxLineBytes = 8 << 20;
  static constexpr std::size_t kKeptBytes = 1024;

  // Opens every file input now, so a missing file is reported before any work starts.
  // Throws InputError naming the file and the reason.
  explicit UrlSource(std::vector<std::string> inputs);
  ~UrlSource();
  UrlSource(const UrlSource&) = delete;
  UrlSource& operator=(const UrlSource&) = delete;

  // The next URL, or nullopt at the end of all inputs (or once stopped). Throws InputError on a
  // read error.
  std::optional<InputItem> next();
  // Up to `max` URLs: the first may wait for input; the others are taken only while more input
  // is there without waiting. Empty at the end of all inputs, or once stopped. Throws InputError.
  std::vector<InputItem> next_batch(std::size_t max);
  // True when reading may wait on a producer (standard input, a pipe, a terminal).
  bool may_block() const noexcept { return may_block_; }
  // Makes a read waiting on a producer (or the next one) return the end of input, even in the
  // middle of a line. Callable from any thread, and from a signal handler. Never throws.
  void stop() noexcept;
  std::size_t lines_read() const noexcept { return lines_; }
  // stop() was called: an empty batch means "stopped", not the end of the input.
  bool stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }

 private:
  struct Input {
    std::string arg;
    int fd = -1;  // -1 for a URL argument
    bool owned = false;
    bool waits = false;  // not a regular file: reads may wait for a producer
    bool eof = false;    // read() said end of file
  };
  enum class Fill { data, end, stopped };
  Fill fill(Input& in);
  bool wait_readable(const Input& in) const;
  void finish_input(Input& in) noexcept;
  bool line_buffered() const;
  bool more_without_waiting() const;
  void close_all() noexcept;

  std::vector<Input> inputs_;
  std::size_t current_ = 0;
  std::size_t line_in_current_ = 0;
  std::size_t lines_ = 0;
  bool may_block_ = false;
  int stop_fd_ = -1;  // an eventfd: readable once stop() was called
  std::atomic<bool> stopped_{false};
  std::string buffer_;  // bytes read from the current input, not yet taken as lines
  std::size_t buffer_pos_ = 0;
  bool skipping_long_line_ = false;
  std::string long_line_start_;  // the kept start of the overlong line being skipped
};

}  // namespace acrawl::crawler
