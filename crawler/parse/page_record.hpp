#pragma once
// A finished transfer's record: error word, HTML detection and, for an HTML body, its title.
// Pure and thread-safe: runs on whatever thread parses.

#include <string>

#include "crawler/fetch/fetch.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

// The record of url from its transfer's result, title included. Never throws but bad_alloc.
PageRecord build_record(std::string url, FetchResult result);

// build_record's parts: every field but the title (taken from result, body left in place), and
// whether the body is HTML worth parsing. Never throw but bad_alloc.
PageRecord record_without_title(std::string url, FetchResult& result);
bool has_html_body(const PageRecord& rec, const FetchResult& result) noexcept;

}  // namespace acrawl::crawler
