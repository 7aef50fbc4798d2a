#include "crawler/sitemap/xml_reader.hpp"

#include <expat.h>

#include <algorithm>
#include <new>
#include <type_traits>
#include <utility>

#include "crawler/sitemap/entries.hpp"
#include "crawler/text/ascii.hpp"

namespace acrawl::crawler::sitemap_detail {
namespace {

// Between a namespace URI and a local name in the names expat reports. A control character
// appears in neither, so the last one splits every name.
constexpr char kNamespaceSeparator = '\x01';

struct Name {
  std::string_view ns;  // empty: no namespace
  std::string_view local;
};

Name split_name(const char* name) noexcept {
  const std::string_view s(name);
  const std::size_t sep = s.rfind(kNamespaceSeparator);
  if (sep == std::string_view::npos) return {{}, s};
  return {s.substr(0, sep), s.substr(sep + 1)};
}

// The value of an attribute without a namespace prefix, nullptr if absent.
const char* attribute(const char** attributes, std::string_view name) noexcept {
  for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
    if (attributes[i] == name) return attributes[i + 1];
  }
  return nullptr;
}

// At most 64 bytes of a name for a message, not ending inside a UTF-8 sequence.
std::string_view shown(std::string_view name) noexcept {
  constexpr std::size_t kShown = 64;
  if (name.size() <= kShown) return name;
  std::size_t n = kShown;
  while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  return name.substr(0, n);
}

}  // namespace

static_assert(std::is_same_v<XML_Char, char>, "expat built for UTF-8 names (not XML_UNICODE)");

// expat's C callbacks: each forwards to the reader unless it has stopped (expat may still report
// an event or two after XML_StopParser) and keeps exceptions from unwinding through C frames.
struct XmlCallbacks {
  template <class F>
  static void guarded(void* user_data, F&& f) noexcept {
    auto& reader = *static_cast<XmlReader*>(user_data);
    if (reader.stopped_) return;
    try {
      f(reader);
    } catch (...) {
      reader.failure_ = std::current_exception();
      reader.stop({});
    }
  }

  static void XMLCALL start(void* user_data, const XML_Char* name, const XML_Char** attributes) {
    guarded(user_data, [&](XmlReader& r) { r.start(name, attributes); });
  }
  static void XMLCALL end(void* user_data, const XML_Char*) {
    guarded(user_data, [](XmlReader& r) { r.end(); });
  }
  static void XMLCALL text(void* user_data, const XML_Char* s, int len) {
    guarded(user_data, [&](XmlReader& r) { r.text({s, static_cast<std::size_t>(len)}); });
  }
  // Any entity declaration, general or parameter, internal or external: a sitemap needs none, and
  // refusing them all defeats entity expansion bombs and external entities (XXE) at once.
  static void XMLCALL entity(void* user_data, const XML_Char*, int, const XML_Char*, int,
                             const XML_Char*, const XML_Char*, const XML_Char*, const XML_Char*) {
    guarded(user_data, [](XmlReader& r) { r.stop("sitemap declares entities: refused"); });
  }
};

void XmlReader::ParserFree::operator()(XML_ParserStruct* parser) const noexcept {
  XML_ParserFree(parser);
}

XmlReader::XmlReader(Sitemap& out, std::size_t max_urls)
    : parser_(XML_ParserCreateNS(nullptr, kNamespaceSeparator)), out_(out), max_urls_(max_urls) {
  if (!parser_) throw std::bad_alloc();
  XML_Parser p = parser_.get();
  XML_SetUserData(p, this);
  XML_SetElementHandler(p, XmlCallbacks::start, XmlCallbacks::end);
  XML_SetCharacterDataHandler(p, XmlCallbacks::text);
  XML_SetEntityDeclHandler(p, XmlCallbacks::entity);
  // No external DTD or parameter entity is ever read (there is no ExternalEntityRefHandler
  // either); expat's own amplification limits stay at their defaults.
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
}

XmlReader::~XmlReader() = default;

bool XmlReader::write(std::string_view data) {
  // XML_Parse takes an int length.
  constexpr std::size_t kMaxPiece = 1 << 20;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), kMaxPiece);
    if (!parse(data.substr(0, n), false)) return false;
    data.remove_prefix(n);
  }
  return !stopped_;
}

void XmlReader::finish() {
  if (!stopped_) parse({}, true);
}

bool XmlReader::parse(std::string_view data, bool final) {
  XML_Parser p = parser_.get();
  const XML_Status status = XML_Parse(p, data.data(), static_cast<int>(data.size()), final);
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  if (stopped_) return false;
  if (status != XML_STATUS_OK) {
    stopped_ = true;
    out_.error = "XML error at line " + std::to_string(XML_GetCurrentLineNumber(p)) + ": " +
                 XML_ErrorString(XML_GetErrorCode(p));
    return false;
  }
  fed_ += data.size();
  // What expat holds unparsed is one unfinished token (see kMaxTokenBytes).
  const XML_Index parsed = XML_GetCurrentByteIndex(p);
  if (fed_ - static_cast<std::uint64_t>(std::max<XML_Index>(parsed, 0)) > kMaxTokenBytes) {
    stopped_ = true;  // between two XML_Parse calls: nothing to interrupt
    out_.error = "XML token over 1 MiB: refused";
    return false;
  }
  return true;
}

void XmlReader::start(const char* name, const char** attributes) {
  ++depth_;
  if (depth_ > kMaxDepth) return stop("XML nested deeper than 256 elements: refused");
  const Name n = split_name(name);
  if (depth_ == 1) {
    if (n.local == "urlset") {
      format_ = Format::urlset;
      out_.kind = Sitemap::Kind::urlset;
    } else if (n.local == "sitemapindex") {
      format_ = Format::index;
      out_.kind = Sitemap::Kind::index;
    } else if (n.local == "rss" || n.local == "feed") {
      format_ = n.local == "rss" ? Format::rss : Format::atom;
      out_.kind = Sitemap::Kind::feed;
    } else {
      return stop("not a sitemap: root element <" + std::string(shown(n.local)) + ">");
    }
    root_ns_ = n.ns;
    roles_[1] = Role::root;
    return;
  }
  // Sitemap elements are in the root's namespace, whatever it is, or none; image:loc, xhtml:link
  // or atom:link (in an RSS item) are in another and never count.
  const Role parent = depth_ - 1 < kRoleDepth ? roles_[depth_ - 1] : Role::other;
  Role role = Role::other;
  if (parent != Role::other && (n.ns.empty() || n.ns == root_ns_)) {
    const std::string_view local = n.local;
    switch (format_) {
      case Format::urlset:
      case Format::index:
        if (parent == Role::root && local == (format_ == Format::urlset ? "url" : "sitemap")) {
          role = Role::entry;
        } else if (parent == Role::entry && local == "loc") {
          role = Role::loc;
        }
        break;
      case Format::rss:
        if (parent == Role::root && local == "channel") {
          role = Role::channel;
        } else if (parent == Role::channel && local == "item") {
          role = Role::entry;
        } else if (parent == Role::entry && local == "link") {
          role = Role::loc;
        }
        break;
      case Format::atom:
        if (parent == Role::root && local == "entry") {
          role = Role::entry;
        } else if (parent == Role::entry && local == "link") {
          atom_link(attributes);
        }
        break;
      case Format::none:
        break;
    }
  }
  if (depth_ < kRoleDepth) roles_[depth_] = role;
  if (role == Role::loc) loc_.clear();
}

void XmlReader::end() {
  if (depth_ < kRoleDepth && roles_[depth_] == Role::loc) {
    const std::string_view url = loc_.value();
    if (!url.empty()) add(url);
  }
  --depth_;
}

void XmlReader::text(std::string_view piece) {
  if (depth_ < kRoleDepth && roles_[depth_] == Role::loc) loc_.append(piece);
}

// Atom: <link href="..."/> with no rel or rel="alternate" is the entry's page.
void XmlReader::atom_link(const char** attributes) {
  const char* rel = attribute(attributes, "rel");
  if (rel != nullptr && !ascii::iequals(ascii::trim_ascii_ws(rel), "alternate")) return;
  const char* href = attribute(attributes, "href");
  const std::string_view url = href == nullptr ? std::string_view{} : accepted_url(href);
  if (!url.empty()) add(url);
}

void XmlReader::add(std::string_view url) {
  const Entry entry = format_ == Format::index ? Entry::sitemap : Entry::page;
  if (!add_entry(out_, entry, url, max_urls_)) stop({});
}

void XmlReader::stop(std::string error) {
  if (!error.empty()) out_.error = std::move(error);
  stopped_ = true;
  XML_StopParser(parser_.get(), XML_FALSE);
}

}  // namespace acrawl::crawler::sitemap_detail
