#include "crawler/input/url_source.hpp"

#include <poll.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "crawler/text/ascii.hpp"
#include "crawler/url/check.hpp"

namespace acrawl::crawler {

bool looks_like_url(const std::string& arg) {
  return !url_scheme(arg).empty();
}

UrlSource::UrlSource(std::vector<std::string> inputs) {
  for (auto& arg : inputs) {
    Input in;
    in.arg = arg;
    if (arg == "-") {
      in.file = stdin;
    } else if (!looks_like_url(arg)) {
      in.file = std::fopen(arg.c_str(), "rb");
      if (in.file == nullptr) {
        int err = errno;
        for (auto& opened : inputs_) {
          if (opened.owned) std::fclose(opened.file);
        }
        throw InputError("cannot open input file '" + arg + "': " + std::strerror(err));
      }
      in.owned = true;
    }
    if (in.file != nullptr) {
      struct stat st {};
      if (::fstat(::fileno(in.file), &st) == 0 && !S_ISREG(st.st_mode)) may_block_ = true;
    }
    inputs_.push_back(std::move(in));
  }
}

bool UrlSource::more_without_waiting() const {
  if (current_ >= inputs_.size()) return false;
  const Input& in = inputs_[current_];
  if (in.file == nullptr) return true;
  pollfd p{::fileno(in.file), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool UrlSource::wait_for_input(std::FILE* file) const {
  if (stop_ == nullptr || !may_block_) return true;
  // Bytes already in stdio's buffer need no waiting (glibc's FILE layout).
  if (file->_IO_read_ptr < file->_IO_read_end) return true;
  for (;;) {
    if (stop_->load(std::memory_order_relaxed)) return false;
    pollfd p{::fileno(file), POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r > 0 || (r < 0 && errno != EINTR)) return true;  // data, end, or an error for getline
  }
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

UrlSource::~UrlSource() {
  for (auto& in : inputs_) {
    if (in.owned) std::fclose(in.file);
  }
  std::free(line_);
}

std::optional<InputItem> UrlSource::next() {
  while (current_ < inputs_.size()) {
    Input& in = inputs_[current_];
    if (in.file == nullptr) {
      ++current_;
      ++lines_;
      return InputItem{in.arg, "argument " + std::to_string(current_)};
    }
    if (!wait_for_input(in.file)) return std::nullopt;  // stopped
    errno = 0;
    ssize_t n = ::getline(&line_, &line_cap_, in.file);
    if (n < 0) {
      if (std::ferror(in.file)) {
        throw InputError("cannot read input '" + in.arg + "': " + std::strerror(errno));
      }
      ++current_;
      line_in_current_ = 0;
      continue;
    }
    ++line_in_current_;
    std::string_view line(line_, static_cast<std::size_t>(n));
    if (line_in_current_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    line = ascii::trim_ascii_ws(line);
    if (line.empty() || line.front() == '#') continue;
    ++lines_;
    std::string where =
        (in.arg == "-" ? std::string("stdin") : in.arg) + ":" + std::to_string(line_in_current_);
    return InputItem{std::string(line), std::move(where)};
  }
  return std::nullopt;
}

}  // namespace acrawl::crawler
