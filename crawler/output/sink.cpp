#include "crawler/output/sink.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {

namespace {

// Valid UTF-8 with every C0/C1 control character and DEL turned into a space.
void append_tsv_field(std::string& out, std::string_view raw) {
  std::string clean = sanitize_utf8(raw);
  for (std::size_t i = 0; i < clean.size(); ++i) {
    auto c = static_cast<unsigned char>(clean[i]);
    if (c < 0x20 || c == 0x7F) {
      out.push_back(' ');
    } else if (c == 0xC2 && i + 1 < clean.size() &&
               static_cast<unsigned char>(clean[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(clean[i + 1]) <= 0x9F) {
      out.push_back(' ');  // U+0080..U+009F (C1 controls, e.g. CSI)
      ++i;
    } else {
      out.push_back(clean[i]);
    }
  }
}

void append_json_string(std::string& out, std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string clean = sanitize_utf8(raw);
  out.push_back('"');
  for (char ch : clean) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void append_json_key(std::string& out, const char* key) {
  if (out.size() > 1) out.push_back(',');
  out.push_back('"');
  out += key;
  out += "\":";
}

void append_json_field(std::string& out, const char* key, std::string_view value,
                       bool null_if_empty = true) {
  append_json_key(out, key);
  if (value.empty() && null_if_empty) {
    out += "null";
  } else {
    append_json_string(out, value);
  }
}

class FileSink final : public RecordSink {
 public:
  using Formatter = std::string (*)(const PageRecord&, bool);
  FileSink(Formatter format, std::FILE* out, bool option = false, std::string_view header = {})
      : format_(format), out_(out), option_(option) {
    struct stat st {};
    live_ = ::fstat(::fileno(out), &st) != 0 || !S_ISREG(st.st_mode);
    if (!header.empty() && std::fwrite(header.data(), 1, header.size(), out_) != header.size()) {
      fail();
    }
  }
  void write(const PageRecord& rec) override {
    line_ = format_(rec, option_);
    if (line_.empty()) return;
    if (std::fwrite(line_.data(), 1, line_.size(), out_) != line_.size()) fail();
  }
  void flush() override {
    if (std::fflush(out_) != 0) fail();
  }
  bool live() const noexcept override { return live_; }

 private:
  [[noreturn]] static void fail() {
    throw OutputError(errno, std::generic_category(), "cannot write output");
  }
  Formatter format_;
  std::FILE* out_;
  bool option_;
  bool live_ = false;
  std::string line_;
};

}  // namespace

namespace {
// RFC 4180: quoted when it holds a comma or a quote (doubled inside), or starts or ends with a
// space (which some readers trim); control characters are spaces already, as in TSV.
void append_csv_field(std::string& out, std::string_view raw) {
  std::string clean;
  append_tsv_field(clean, raw);
  const bool quote = clean.find_first_of(",\"") != std::string::npos ||
                     (!clean.empty() && (clean.front() == ' ' || clean.back() == ' '));
  if (!quote) {
    out += clean;
    return;
  }
  out.push_back('"');
  for (char c : clean) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}
}  // namespace

constexpr std::string_view kCsvHeader = "url,status,title\r\n";

std::string format_csv(const PageRecord& rec) {
  std::string out;
  append_csv_field(out, rec.url);
  out.push_back(',');
  out += rec.status_text();
  out.push_back(',');
  if (rec.title) append_csv_field(out, *rec.title);
  out += "\r\n";
  return out;
}

std::string format_tsv(const PageRecord& rec) {
  std::string out;
  out.reserve(rec.url.size() + (rec.title ? rec.title->size() : 0) + 16);
  append_tsv_field(out, rec.url);
  out.push_back('\t');
  out += rec.status_text();
  out.push_back('\t');
  if (rec.title) append_tsv_field(out, *rec.title);
  out.push_back('\n');
  return out;
}

std::string format_jsonl(const PageRecord& rec, bool with_links) {
  std::string out = "{";
  append_json_field(out, "url", rec.url, false);
  append_json_field(out, "final_url", rec.final_url);
  append_json_key(out, "status");
  out += rec.status > 0 ? std::to_string(rec.status) : "null";
  append_json_field(out, "error", rec.error);
  append_json_key(out, "title");
  if (rec.title) {
    append_json_string(out, *rec.title);
  } else {
    out += "null";
  }
  append_json_field(out, "content_type", rec.content_type);
  append_json_key(out, "bytes");
  out += std::to_string(rec.bytes);
  append_json_key(out, "elapsed_ms");
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", rec.elapsed_ms);
  out += ms;
  append_json_key(out, "redirects");
  out += std::to_string(rec.redirects);
  append_json_field(out, "encoding", rec.encoding);
  append_json_field(out, "encoding_source", rec.encoding_source);
  append_json_key(out, "depth");
  out += std::to_string(rec.depth);
  append_json_key(out, "attempts");
  out += std::to_string(rec.attempts);
  if (!rec.location.empty()) append_json_field(out, "location", rec.location);
  if (with_links && rec.links) {
    append_json_key(out, "links");
    out.push_back('[');
    for (std::size_t i = 0; i < rec.links->size(); ++i) {
      if (i != 0) out.push_back(',');
      append_json_string(out, (*rec.links)[i]);
    }
    out.push_back(']');
  }
  out += "}\n";
  return out;
}

std::string format_links_tsv(const PageRecord& rec) {
  std::string out;
  if (!rec.links) return out;
  for (const std::string& link : *rec.links) {
    append_tsv_field(out, rec.final_url.empty() ? rec.url : rec.final_url);
    out.push_back('\t');
    append_tsv_field(out, link);
    out.push_back('\n');
  }
  return out;
}

namespace {
template <std::string (*Format)(const PageRecord&)>
std::string without_option(const PageRecord& rec, bool) {
  return Format(rec);
}
}  // namespace

std::unique_ptr<RecordSink> make_sink(OutputFormat format, std::FILE* out, bool links) {
  switch (format) {
    case OutputFormat::jsonl:
      return std::make_unique<FileSink>(&format_jsonl, out, links);
    case OutputFormat::csv:
      return std::make_unique<FileSink>(&without_option<format_csv>, out, false, kCsvHeader);
    case OutputFormat::tsv:
      break;
  }
  return std::make_unique<FileSink>(&without_option<format_tsv>, out);
}

std::string format_record(OutputFormat format, const PageRecord& rec, bool links) {
  switch (format) {
    case OutputFormat::jsonl:
      return format_jsonl(rec, links);
    case OutputFormat::csv:
      return format_csv(rec);
    case OutputFormat::tsv:
      break;
  }
  return format_tsv(rec);
}

std::string format_header(OutputFormat format) {
  return format == OutputFormat::csv ? std::string(kCsvHeader) : std::string();
}

namespace {
class NullSink final : public RecordSink {
 public:
  void write(const PageRecord& /*rec*/) override {}
  void flush() override {}
};
}  // namespace

std::unique_ptr<RecordSink> make_null_sink() {
  return std::make_unique<NullSink>();
}

std::unique_ptr<RecordSink> make_links_sink(std::FILE* out) {
  return std::make_unique<FileSink>(&without_option<format_links_tsv>, out);
}

}  // namespace acrawl::crawler
