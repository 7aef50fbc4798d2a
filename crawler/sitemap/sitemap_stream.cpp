#include "crawler/sitemap/sitemap_stream.hpp"

#include "crawler/text/ascii.hpp"

namespace acrawl::crawler::sitemap_detail {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

bool SitemapStream::write(std::string_view data) {
  if (stopped_) return false;
  const std::uint64_t room = limits_.max_bytes - size_;
  const bool cut = data.size() > room;
  if (cut) data = data.substr(0, static_cast<std::size_t>(room));
  size_ += data.size();
  const bool more = route(data);
  if (cut) out_.too_large = true;
  stopped_ = cut || !more;
  return !stopped_;
}

void SitemapStream::finish() {
  if (stopped_) return;
  stopped_ = true;
  if (!xml_ && !text_ && !bom_done_ && bom_seen_ > 0) {
    // A body shorter than a BOM that began like one: those bytes are its content.
    bom_done_ = true;
    if (!start(kBom.substr(0, bom_seen_))) return;
  }
  if (xml_) {
    xml_->finish();
  } else if (text_) {
    text_->finish();
  } else {
    out_.error = "sitemap is empty";
  }
}

bool SitemapStream::route(std::string_view data) {
  if (xml_) return xml_->write(data);
  if (text_) return text_->write(data);
  // A UTF-8 BOM, maybe split across writes; bytes that only began like one are content.
  while (!bom_done_ && !data.empty()) {
    if (data.front() != kBom[bom_seen_]) {
      bom_done_ = true;
      if (bom_seen_ > 0) return start(kBom.substr(0, bom_seen_)) && route(data);
      break;
    }
    data.remove_prefix(1);
    bom_done_ = ++bom_seen_ == kBom.size();
  }
  // Whitespace before the first tag is a common mistake (a blank line before <?xml); skipping it
  // saves such files, and XML needs no leading text.
  while (!data.empty() && ascii::is_ascii_ws(data.front())) data.remove_prefix(1);
  return data.empty() || start(data);
}

// The first content byte decides the format: '<' is XML, as is a UTF-16 BOM (0xFE 0xFF or 0xFF
// 0xFE, never UTF-8; expat reads UTF-16); anything else is a text sitemap.
bool SitemapStream::start(std::string_view content) {
  const auto first = static_cast<unsigned char>(content.front());
  if (first == '<' || first == 0xFE || first == 0xFF) {
    xml_.emplace(out_, limits_.max_urls);
    return xml_->write(content);
  }
  out_.kind = Sitemap::Kind::text;
  text_.emplace(out_, limits_.max_urls);
  return text_->write(content);
}

}  // namespace acrawl::crawler::sitemap_detail
