#pragma once
// Record sinks: where records go, in which format. Every string written is valid UTF-8 (invalid
// bytes become U+FFFD); TSV fields never contain tabs, newlines or other control characters;
// JSON is escaped per RFC 8259.

#include <cstdio>
#include <memory>
#include <string>

#include "crawler/config.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

// `url<TAB>status<TAB>title\n`.
std::string format_tsv(const PageRecord& rec);
// RFC 4180 `url,status,title` with CRLF (make_sink writes the header row first).
std::string format_csv(const PageRecord& rec);
// One JSON object and a newline.
std::string format_jsonl(const PageRecord& rec);
// `page<TAB>link\n` for each of the record's links (page: its final URL); "" without links.
std::string format_links_tsv(const PageRecord& rec);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Throws std::system_error when the output cannot be written (disk full, closed pipe).
  virtual void write(const PageRecord& rec) = 0;
  virtual void flush() = 0;
};

// A sink writing format to out (not owned, not closed).
std::unique_ptr<RecordSink> make_sink(OutputFormat format, std::FILE* out);
// A sink writing format_links_tsv (--links-file).
std::unique_ptr<RecordSink> make_links_sink(std::FILE* out);

}  // namespace acrawl::crawler
