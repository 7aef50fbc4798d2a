#pragma once
// Record sinks: where records go, in which format. Every string written is valid UTF-8 (invalid
// bytes become U+FFFD); TSV fields never contain tabs, newlines or other control characters;
// JSON is escaped per RFC 8259.

#include <cstdio>
#include <memory>
#include <string>
#include <system_error>

#include "crawler/config.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

// The output (records, --links-file, --stats-json) cannot be opened or written: a full disk, a
// closed pipe, a directory.
class OutputError : public std::system_error {
 public:
  using std::system_error::system_error;
};

// `url<TAB>status<TAB>title\n`.
std::string format_tsv(const PageRecord& rec);
// RFC 4180 `url,status,title` with CRLF (make_sink writes the header row first).
std::string format_csv(const PageRecord& rec);
// One JSON object and a newline; with_links: the record's links too (--links), if it has any.
std::string format_jsonl(const PageRecord& rec, bool with_links = true);
// `page<TAB>link\n` for each of the record's links (page: its final URL); "" without links.
std::string format_links_tsv(const PageRecord& rec);

// One record as make_sink(format, ..., links) writes it.
std::string format_record(OutputFormat format, const PageRecord& rec, bool links);
// What make_sink writes before the first record ("" but for CSV's header row).
std::string format_header(OutputFormat format);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Throws OutputError when the output cannot be written (disk full, closed pipe).
  virtual void write(const PageRecord& rec) = 0;
  virtual void flush() = 0;
  // True when someone may be reading as we go (a pipe, a terminal): worth flushing often.
  virtual bool live() const noexcept { return false; }
};

// A sink writing format to out (not owned, not closed). links: JSONL records carry the page's
// links (--links; the records carry them for --links-file too, which alone adds nothing).
std::unique_ptr<RecordSink> make_sink(OutputFormat format, std::FILE* out, bool links = false);
// A sink that writes nothing (the records go elsewhere: --state writes -o itself).
std::unique_ptr<RecordSink> make_null_sink();
// A sink writing format_links_tsv (--links-file).
std::unique_ptr<RecordSink> make_links_sink(std::FILE* out);

}  // namespace acrawl::crawler
