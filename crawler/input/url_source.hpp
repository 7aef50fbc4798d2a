#pragma once
// UrlSource: the crawl's input, read lazily one URL at a time, so a list of ten million lines
// is never held in memory. Inputs are files (one URL per line; blank lines and `#` comments
// skipped; CR before LF tolerated), `-` for standard input, or URLs given directly.

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace acrawl::crawler {

struct InputItem {
  std::string url;
  std::string where;  // "urls.txt:12", "stdin:3" or "argument 2", for messages
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
  // Opens every file input now, so a missing file is reported before any work starts.
  // Throws InputError naming the file and the reason.
  explicit UrlSource(std::vector<std::string> inputs);
  ~UrlSource();
  UrlSource(const UrlSource&) = delete;
  UrlSource& operator=(const UrlSource&) = delete;

  // The next URL, or nullopt at the end of all inputs. Throws InputError on a read error.
  std::optional<InputItem> next();
  // Up to `max` URLs: the first may wait for input; the others are taken only while more input
  // is there without waiting. Empty at the end of all inputs. Throws InputError.
  std::vector<InputItem> next_batch(std::size_t max);
  // True when reading may wait on a producer (standard input, a pipe, a terminal).
  bool may_block() const noexcept { return may_block_; }
  // While waiting for input that may block, give up (end of input) once *stop is true; checked
  // every 100 ms. Lets Ctrl-C end a crawl whose standard input is still open.
  void set_stop_flag(const std::atomic<bool>* stop) noexcept { stop_ = stop; }
  std::size_t lines_read() const noexcept { return lines_; }

 private:
  struct Input {
    std::string arg;
    std::FILE* file = nullptr;  // null for a URL argument
    bool owned = false;
  };
  bool more_without_waiting() const;
  bool wait_for_input(std::FILE* file) const;
  std::vector<Input> inputs_;
  std::size_t current_ = 0;
  std::size_t line_in_current_ = 0;
  std::size_t lines_ = 0;
  bool may_block_ = false;
  const std::atomic<bool>* stop_ = nullptr;
  char* line_ = nullptr;
  std::size_t line_cap_ = 0;
};

}  // namespace acrawl::crawler
