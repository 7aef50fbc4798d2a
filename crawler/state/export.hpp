#pragma once
// `acrawl export STATE`: every record a crawl state holds, each URL once, in discovery order
// (input lines first, in input order; then links as they were found), whether the crawl has
// finished or not. Reads a state another acrawl may be writing (it sees the last commit).

#include <cstdint>
#include <cstdio>
#include <string>

#include "crawler/config.hpp"

namespace acrawl::crawler {

// Writes the records of the state at path to out in format (JSONL records carry links when
// the crawl kept them: --links). Returns the number of records. Throws StateError (not an
// acrawl state, damaged), OutputError (out cannot be written).
std::int64_t export_state(const std::string& path, OutputFormat format, std::FILE* out);

}  // namespace acrawl::crawler
