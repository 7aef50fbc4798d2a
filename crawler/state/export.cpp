#include "crawler/state/export.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "crawler/output/sink.hpp"
#include "crawler/state/sqlite.hpp"

namespace acrawl::crawler {

std::int64_t export_state(const std::string& path, OutputFormat format, std::FILE* out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw StateError("no state " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw StateError("state " + path + " is not a regular file");
  SqliteDb db(path, SQLITE_OPEN_READONLY);
  std::int64_t app = 0;
  try {
    SqliteStmt s(db, "PRAGMA application_id");
    app = s.step() ? s.int64(0) : 0;
  } catch (const StateError& e) {
    throw StateError("state " + path + " is not an SQLite database (" + e.what() + ")");
  }
  if (app != 0x61637277) throw StateError("state " + path + " is not an acrawl state");
  bool links = false;
  {
    SqliteStmt s(db, "SELECT value FROM meta WHERE key = '--links'");
    links = s.step() && s.text(0) == "yes";
  }
  auto sink = make_sink(format, out, links);
  SqliteStmt rows(db,
                  "SELECT url_id, url, final_url, status, error, title, content_type, bytes, "
                  "elapsed_ms, redirects, encoding, encoding_source, location, depth, attempts, "
                  "links FROM records ORDER BY url_id");
  SqliteStmt link_rows(db, "SELECT url FROM links WHERE url_id = ?1 ORDER BY pos");
  std::int64_t n = 0;
  while (rows.step()) {
    PageRecord r;
    r.url = rows.text(1);
    r.final_url = rows.is_null(2) ? r.url : rows.text(2);
    r.status = rows.is_null(3) ? 0 : static_cast<long>(rows.int64(3));
    r.error = rows.text(4);
    if (!rows.is_null(5)) r.title = rows.text(5);
    r.content_type = rows.text(6);
    r.bytes = static_cast<std::uint64_t>(rows.int64(7));
    r.elapsed_ms = rows.real(8);
    r.redirects = static_cast<long>(rows.int64(9));
    r.encoding = rows.text(10);
    r.encoding_source = rows.text(11);
    r.location = rows.text(12);
    r.depth = static_cast<int>(rows.int64(13));
    r.attempts = static_cast<int>(rows.int64(14));
    if (links && !rows.is_null(15)) {
      r.links.emplace();
      link_rows.bind(1, rows.int64(0));
      while (link_rows.step()) r.links->push_back(link_rows.text(0));
      link_rows.reset();
    }
    sink->write(r);
    ++n;
  }
  sink->flush();
  return n;
}

}  // namespace acrawl::crawler
