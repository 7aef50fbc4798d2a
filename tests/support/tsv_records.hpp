#pragma once
// Records of acrawl's TSV output, for end-to-end tests.

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace acrawl::test {

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(s);
  while (std::getline(in, field, sep)) out.push_back(field);
  return out;
}

// url -> (status, title) from TSV output; fails the test on a duplicate URL.
inline std::map<std::string, std::pair<std::string, std::string>> records(const std::string& tsv) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const std::string& line : split(tsv, '\n')) {
    std::vector<std::string> f = split(line, '\t');
    REQUIRE(f.size() >= 2);
    INFO("line: " << line);
    CHECK(out.count(f[0]) == 0);
    out[f[0]] = {f[1], f.size() > 2 ? f[2] : ""};
  }
  return out;
}

}  // namespace acrawl::test
