#pragma once

// document.title extraction with gumbo.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace acrawl::crawler {

// document.title per the HTML spec: the child text content of the first `title` element in the
// HTML namespace in tree order (never SVG's or MathML's; not inside <template> contents), with
// ASCII whitespace (TAB LF FF CR SPACE) stripped and collapsed to single spaces. U+00A0 is not
// whitespace and is kept; entities are decoded by the parser. Returns nullopt when the document
// has no such element, and "" for an empty or whitespace-only one. Input should be UTF-8 (invalid
// bytes become U+FFFD); the result is valid UTF-8. Parses only up to the first `</title>` when
// that provably gives the full parse's answer. Throws only std::bad_alloc; thread-safe.
std::optional<std::string> extract_title(std::string_view utf8_html);

// The same, always from a full parse (the reference the prefix shortcut is tested against).
std::optional<std::string> extract_title_full(std::string_view utf8_html);

// A prefix that may settle document.title: the input through the '>' of the first `</title`
// end tag that starts at or after byte `after`, or "" when there is none. Try `after` = 0, then
// the previous prefix's length (a commented-out title comes first on some pages), up to
// kPrefixAttempts times. Works on the raw bytes of any encoding whose markup is ASCII (see
// markup_is_ascii). Never throws.
std::string_view title_settling_prefix(std::string_view html, std::size_t after = 0) noexcept;
inline constexpr int kPrefixAttempts = 4;

// document.title when the prefix settles it — a title directly in <head>, explicitly closed,
// which nothing later in the document can move or replace — else nullopt (parse the whole
// document then). Throws only std::bad_alloc; thread-safe.
std::optional<std::string> title_if_settled(std::string_view utf8_prefix);

}  // namespace acrawl::crawler
