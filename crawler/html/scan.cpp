#include "crawler/html/scan.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "crawler/text/ascii.hpp"
#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {

namespace {

using ascii::ascii_lower;

// Character references a tokenizer decodes without ';' (the WHATWG table's legacy names).
// Such a reference in an attribute is decoded or not depending on what follows, so a value
// holding one is left to the full parser.
constexpr std::array<std::string_view, 106> kLegacyNames = {
    "AElig",  "AMP",    "Aacute", "Acirc",  "Agrave", "Aring",  "Atilde", "Auml",   "COPY",
    "Ccedil", "ETH",    "Eacute", "Ecirc",  "Egrave", "Euml",   "GT",     "Iacute", "Icirc",
    "Igrave", "Iuml",   "LT",     "Ntilde", "Oacute", "Ocirc",  "Ograve", "Oslash", "Otilde",
    "Ouml",   "QUOT",   "REG",    "THORN",  "Uacute", "Ucirc",  "Ugrave", "Uuml",   "Yacute",
    "aacute", "acirc",  "acute",  "aelig",  "agrave", "amp",    "aring",  "atilde", "auml",
    "brvbar", "ccedil", "cedil",  "cent",   "copy",   "curren", "deg",    "divide", "eacute",
    "ecirc",  "egrave", "eth",    "euml",   "frac12", "frac14", "frac34", "gt",     "iacute",
    "icirc",  "iexcl",  "igrave", "iquest", "iuml",   "laquo",  "lt",     "macr",   "micro",
    "middot", "nbsp",   "not",    "ntilde", "oacute", "ocirc",  "ograve", "ordf",   "ordm",
    "oslash", "otilde", "ouml",   "para",   "plusmn", "pound",  "quot",   "raquo",  "reg",
    "sect",   "shy",    "sup1",   "sup2",   "sup3",   "szlig",  "thorn",  "times",  "uacute",
    "ucirc",  "ugrave", "uml",    "uuml",   "yacute", "yen",    "yuml"};

// Thrown inside the scanner to give up on a document; caught at the top.
struct Decline {};

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  PageContent run() {
    while (pos_ < s_.size()) {
      const char* lt =
          static_cast<const char*>(std::memchr(s_.data() + pos_, '<', s_.size() - pos_));
      if (lt == nullptr) break;
      pos_ = static_cast<std::size_t>(lt - s_.data()) + 1;
      if (pos_ >= s_.size()) break;
      const char c = s_[pos_];
      if (c == '!') {
        markup_declaration();
      } else if (c == '/') {
        end_tag();
      } else if (c == '?') {
        skip_past('>');  // bogus comment
      } else if (ascii::is_ascii_alpha(c)) {
        start_tag();
      }
      // Anything else: the '<' was text.
    }
    return std::move(page_);
  }

 private:
  bool at(std::string_view lit) const { return s_.substr(pos_, lit.size()) == lit; }
  bool at_ci(std::string_view lower) const {
    if (s_.size() - pos_ < lower.size()) return false;
    for (std::size_t i = 0; i < lower.size(); ++i) {
      if (ascii_lower(s_[pos_ + i]) != lower[i]) return false;
    }
    return true;
  }
  void skip_past(char c) {
    std::size_t end = s_.find(c, pos_);
    pos_ = end == std::string_view::npos ? s_.size() : end + 1;
  }

  // After "<!".
  void markup_declaration() {
    ++pos_;
    if (at("--")) {
      pos_ += 2;
      comment();
    } else {
      skip_past('>');  // DOCTYPE, or a bogus comment (<![CDATA[ outside foreign content too)
    }
  }

  // After "<!--": ends at "-->" or "--!>", or at once for "<!-->" and "<!--->".
  void comment() {
    if (at(">")) {
      ++pos_;
      return;
    }
    if (at("->")) {
      pos_ += 2;
      return;
    }
    for (;;) {
      std::size_t dashes = s_.find("--", pos_);
      if (dashes == std::string_view::npos) {
        pos_ = s_.size();
        return;
      }
      std::size_t p = dashes + 2;
      while (p < s_.size() && s_[p] == '-') ++p;  // "--->" ends too
      if (p < s_.size() && s_[p] == '>') {
        pos_ = p + 1;
        return;
      }
      if (p + 1 < s_.size() && s_[p] == '!' && s_[p + 1] == '>') {
        pos_ = p + 2;
        return;
      }
      pos_ = p;
    }
  }

  // After "</".
  void end_tag() {
    ++pos_;
    if (pos_ >= s_.size()) return;
    if (s_[pos_] == '>') {
      ++pos_;
      return;
    }
    if (!ascii::is_ascii_alpha(s_[pos_])) {
      skip_past('>');  // bogus comment
      return;
    }
    tag_name();
    if (!attributes(nullptr)) pos_ = s_.size();
  }

  std::string tag_name() {
    std::string name;
    while (pos_ < s_.size() && !ascii::is_ascii_ws(s_[pos_]) && s_[pos_] != '/' &&
           s_[pos_] != '>') {
      name.push_back(ascii_lower(s_[pos_++]));
    }
    return name;
  }

  struct Attributes {
    std::optional<std::string> href, rel, name, content;
  };

  // The attributes of a tag through its '>'; false when the document ends inside the tag (the
  // tokenizer drops such a tag). Only the first of duplicated attributes counts.
  bool attributes(Attributes* out) {
    std::string name;
    self_closing_ = false;
    had_attributes_ = false;
    for (;;) {
      bool slash = false;
      while (pos_ < s_.size() && (ascii::is_ascii_ws(s_[pos_]) || s_[pos_] == '/'))
        slash = s_[pos_++] == '/';
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == '>') {
        self_closing_ = slash;
        ++pos_;
        return true;
      }
      // Attribute name ('=' may start it; quotes and '<' are part of it).
      had_attributes_ = true;
      name.clear();
      name.push_back(ascii_lower(s_[pos_++]));
      while (pos_ < s_.size() && !ascii::is_ascii_ws(s_[pos_]) && s_[pos_] != '/' &&
             s_[pos_] != '>' && s_[pos_] != '=') {
        name.push_back(ascii_lower(s_[pos_++]));
      }
      while (pos_ < s_.size() && ascii::is_ascii_ws(s_[pos_])) ++pos_;
      std::optional<std::string> value;
      if (pos_ < s_.size() && s_[pos_] == '=') {
        ++pos_;
        while (pos_ < s_.size() && ascii::is_ascii_ws(s_[pos_])) ++pos_;
        if (pos_ >= s_.size()) return false;
        value = attribute_value();
        if (!value) return false;
      }
      if (out != nullptr) keep(*out, name, value ? std::move(*value) : std::string());
    }
  }

  // Control characters and noncharacters are parse errors the tokenizer keeps; gumbo (and so
  // the title and the full parse) replaces them with U+FFFD. A value holding one is left to
  // gumbo, so that both paths give the same links.
  static bool has_replaced_character(std::string_view v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto b = static_cast<unsigned char>(v[i]);
      const auto next = [&](std::size_t k) {
        return i + k < v.size() ? static_cast<unsigned char>(v[i + k]) : 0;
      };
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\f' && b != '\r') || b == 0x7F) return true;
      if (b == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) return true;  // C1
      if (b == 0xEF && next(1) == 0xB7 && next(2) >= 0x90 && next(2) <= 0xAF) return true;
      if (b == 0xEF && next(1) == 0xBF && next(2) >= 0xBE) return true;  // U+FFFE/F
      if (b >= 0xF0 && (next(1) & 0x0F) == 0x0F && next(2) == 0xBF && next(3) >= 0xBE) {
        return true;  // U+xFFFE / U+xFFFF in the supplementary planes
      }
    }
    return false;
  }

  void keep(Attributes& out, const std::string& name, std::string value) {
    std::optional<std::string>* slot = name == "href"      ? &out.href
                                       : name == "rel"     ? &out.rel
                                       : name == "name"    ? &out.name
                                       : name == "content" ? &out.content
                                                           : nullptr;
    if (slot == nullptr || *slot) return;
    if (has_replaced_character(value)) throw Decline{};
    *slot = std::move(value);
  }

  // At the first character of a value; nullopt at the end of the document.
  std::optional<std::string> attribute_value() {
    std::string value;
    const char q = s_[pos_];
    if (q == '"' || q == '\'') {
      ++pos_;
      std::size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) return std::nullopt;
      decode_into(value, s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return value;
    }
    if (q == '>') return value;  // missing value: empty, and the '>' ends the tag
    std::size_t end = pos_;
    while (end < s_.size() && !ascii::is_ascii_ws(s_[end]) && s_[end] != '>') ++end;
    if (end >= s_.size()) return std::nullopt;
    decode_into(value, s_.substr(pos_, end - pos_));
    pos_ = end;
    return value;
  }

  // Appends raw with newlines normalized and character references decoded (as in an
  // attribute); declines on references whose decoding depends on the full table.
  static void decode_into(std::string& out, std::string_view raw) {
    for (std::size_t i = 0; i < raw.size();) {
      const char c = raw[i];
      if (c == '\r') {
        out.push_back('\n');
        i += (i + 1 < raw.size() && raw[i + 1] == '\n') ? 2 : 1;
      } else if (c == '&') {
        i = reference(out, raw, i);
      } else {
        out.push_back(c);
        ++i;
      }
    }
  }

  // At raw[i] == '&'; returns the index after what it consumed.
  static std::size_t reference(std::string& out, std::string_view raw, std::size_t i) {
    std::size_t p = i + 1;
    if (p < raw.size() && raw[p] == '#') return numeric_reference(out, raw, i);
    std::size_t end = p;
    while (end < raw.size() && ascii::is_ascii_alnum(raw[end])) ++end;
    const std::string_view name = raw.substr(p, end - p);
    if (name.empty()) {
      out.push_back('&');
      return p;
    }
    if (end < raw.size() && raw[end] == ';') {
      static constexpr std::pair<std::string_view, std::string_view> kCommon[] = {
          {"amp", "&"},   {"lt", "<"},   {"gt", ">"},
          {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}};
      for (const auto& [n, text] : kCommon) {
        if (name == n) {
          out += text;
          return end + 1;
        }
      }
      throw Decline{};  // maybe one of the 2,231 names
    }
    const bool legacy = std::binary_search(kLegacyNames.begin(), kLegacyNames.end(), name);
    const bool before_equals = end < raw.size() && raw[end] == '=';
    if (legacy && !before_equals) throw Decline{};
    // No name, or a legacy name followed by more alphanumerics or '=': in an attribute the
    // tokenizer keeps the text as it is.
    out += raw.substr(i, end - i);
    return end;
  }

  static std::size_t numeric_reference(std::string& out, std::string_view raw, std::size_t i) {
    std::size_t p = i + 2;
    const bool hex = p < raw.size() && (raw[p] == 'x' || raw[p] == 'X');
    if (hex) ++p;
    std::size_t digits = p;
    std::uint32_t value = 0;
    while (p < raw.size()) {
      const char c = raw[p];
      int d = -1;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (hex && ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f') {
        d = ascii_lower(c) - 'a' + 10;
      } else {
        break;
      }
      value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (value > 0x10FFFF) throw Decline{};
      ++p;
    }
    if (p == digits) throw Decline{};  // "&#" without digits
    if (p < raw.size() && raw[p] == ';') ++p;
    const bool plain = value == 0x09 || value == 0x0A || value == 0x0C ||
                       (value >= 0x20 && value <= 0x7E) || (value >= 0xA0 && value <= 0xD7FF) ||
                       (value >= 0xE000 && value <= 0xFDCF) ||
                       (value >= 0xFDF0 && value <= 0x10FFFF && (value & 0xFFFE) != 0xFFFE);
    if (!plain) throw Decline{};  // replaced or remapped by the tokenizer
    append_utf8(out, static_cast<char32_t>(value));
    return p;
  }

  // After "<" and at the tag name's first letter.
  void start_tag() {
    const std::string name = tag_name();
    Attributes attrs;
    if (!attributes(&attrs)) {
      pos_ = s_.size();  // the document ended inside the tag: the tokenizer drops it
      return;
    }
    if (name == "a" || name == "area") {
      if (attrs.href) {
        page_.links.push_back(
            {std::move(*attrs.href), attrs.rel && detail::rel_has_nofollow(*attrs.rel)});
      }
    } else if (name == "base") {
      if (!page_.base_href && attrs.href) page_.base_href = std::move(*attrs.href);
    } else if (name == "meta") {
      if (attrs.name && attrs.content)
        detail::apply_robots_meta(*attrs.name, *attrs.content, page_);
    } else if (name == "svg") {
      if (!self_closing_) svg_content();
    } else if (name == "math" || name == "template" || name == "select" || name == "frameset") {
      throw Decline{};  // the tree builder changes namespaces, skips or drops elements there
    } else if (name == "script") {
      text_until_end_tag(name, true);
    } else if (name == "style" || name == "xmp" || name == "iframe" || name == "noembed" ||
               name == "noframes" || name == "textarea" || name == "title") {
      text_until_end_tag(name, false);
    } else if (name == "plaintext") {
      pos_ = s_.size();  // the rest is text
    }
  }

  // Inside <svg> (inline icons are common): SVG elements, whose <a> are not links here, up to
  // the </svg> that closes it. The tree builder leaves SVG on a breakout tag, at an HTML
  // integration point, or on an end tag matching no open SVG element: decline on those.
  void svg_content() {
    std::vector<std::string> open{"svg"};
    while (!open.empty()) {
      std::size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos || lt + 1 >= s_.size()) {
        pos_ = s_.size();
        return;
      }
      pos_ = lt + 1;
      const char c = s_[pos_];
      if (c == '!') {
        if (at("![CDATA[")) {
          std::size_t end = s_.find("]]>", pos_);
          pos_ = end == std::string_view::npos ? s_.size() : end + 3;
        } else {
          markup_declaration();
        }
      } else if (c == '?') {
        skip_past('>');
      } else if (c == '/') {
        ++pos_;
        if (pos_ >= s_.size() || !ascii::is_ascii_alpha(s_[pos_])) throw Decline{};
        const std::string name = tag_name();
        if (!attributes(nullptr)) {
          pos_ = s_.size();
          return;
        }
        // gumbo 0.10.1 ignores an end tag with attributes here ("</svg x>"); the spec does not.
        if (had_attributes_) throw Decline{};
        auto match = std::find(open.rbegin(), open.rend(), name);
        if (match == open.rend()) throw Decline{};  // closes an HTML element around the SVG
        open.erase(std::prev(match.base()), open.end());
      } else if (ascii::is_ascii_alpha(c)) {
        const std::string name = tag_name();
        if (!attributes(nullptr)) {
          pos_ = s_.size();
          return;
        }
        const std::string& parent = open.back();
        if (breaks_out_of_foreign(name) || parent == "foreignobject" || parent == "desc" ||
            parent == "title" || name == "script") {
          throw Decline{};
        }
        if (!self_closing_) open.push_back(name);
      }
    }
  }

  static bool breaks_out_of_foreign(const std::string& name) {
    static constexpr std::string_view kBreakout[] = {
        "b",      "big",    "blockquote", "body",  "br",    "center", "code", "dd",      "div",
        "dl",     "dt",     "em",         "embed", "font",  "h1",     "h2",   "h3",      "h4",
        "h5",     "h6",     "head",       "hr",    "i",     "img",    "li",   "listing", "menu",
        "meta",   "nobr",   "ol",         "p",     "pre",   "ruby",   "s",    "small",   "span",
        "strike", "strong", "sub",        "sup",   "table", "tt",     "u",    "ul",      "var"};
    return std::find(std::begin(kBreakout), std::end(kBreakout), name) != std::end(kBreakout);
  }

  // RAWTEXT / RCDATA / script data: up to "</name" followed by whitespace, '/' or '>'.
  void text_until_end_tag(const std::string& name, bool script) {
    const std::size_t start = pos_;
    std::size_t from = pos_;
    for (;;) {
      std::size_t lt = s_.find("</", from);
      if (lt == std::string_view::npos) {
        pos_ = s_.size();
        return;
      }
      pos_ = lt + 2;
      if (at_ci(name)) {
        std::size_t after = pos_ + name.size();
        if (after < s_.size() &&
            (ascii::is_ascii_ws(s_[after]) || s_[after] == '/' || s_[after] == '>')) {
          // "<!--" then "<script" in script data enters the double-escaped state, where
          // "</script>" does not end the script: leave such scripts to the parser.
          if (script && double_escape_possible(s_.substr(start, lt - start))) throw Decline{};
          pos_ = lt + 1;  // back at the '/', so end_tag() reads the tag through its '>'
          end_tag();
          return;
        }
      }
      from = lt + 2;
    }
  }

  static bool double_escape_possible(std::string_view script) {
    std::size_t open = script.find("<!--");
    if (open == std::string_view::npos) return false;
    for (std::size_t p = script.find('<', open + 4); p != std::string_view::npos;
         p = script.find('<', p + 1)) {
      if (ascii::iequals(script.substr(p + 1, 6), "script")) return true;
    }
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool self_closing_ = false;    // of the last tag read
  bool had_attributes_ = false;  // the last tag read had attributes
  PageContent page_;
};

}  // namespace

std::optional<PageContent> scan_links(std::string_view utf8_html) {
  if (utf8_html.find('\0') != std::string_view::npos) return std::nullopt;
  try {
    return Scanner(utf8_html).run();
  } catch (const Decline&) {
    return std::nullopt;
  }
}

}  // namespace acrawl::crawler
