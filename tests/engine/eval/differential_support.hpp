#pragma once
// Shared by the differential tests of tests/engine/eval: the rule files of a source folder, the
// evaluation dates around every change of a ruleset, and where two decision lines first differ.
#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "diag/source.hpp"
#include "eval/ruleset.hpp"

namespace subsidy::testing {

// Every *.rules file below SUBSIDY_SOURCE_DIR/dir, in path order, added to `sources`.
inline void add_rules_dir(diag::SourceSet& sources, const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(SUBSIDY_SOURCE_DIR) + "/" + dir))
    if (e.is_regular_file() && e.path().extension() == ".rules") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    sources.add(f.string(), ss.str());
  }
}

// The day before, of and after every change: parameter values, programme and exception periods.
inline void add_change_dates(const eval::Ruleset& rs, std::vector<model::Days>& out) {
  auto around = [&](model::Days d) {
    if (d == INT32_MIN || d == INT32_MAX) return;
    for (int k = -1; k <= 1; ++k) out.push_back(d + k);
  };
  for (const auto& p : rs.params)
    for (const auto& v : p.values) around(v.from);
  for (const auto& p : rs.programs) {
    around(p.effective_from);
    around(p.effective_to);
  }
  for (const auto& x : rs.exceptions) {
    around(x.effective_from);
    around(x.effective_to);
  }
}

// Where two decision lines first differ, with some context of each.
inline std::string first_difference(const std::string& a, const std::string& b, const std::string& name_a = "fused",
                                    const std::string& name_b = "plain") {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::size_t from = i > 300 ? i - 300 : 0;
  return "first difference at byte " + std::to_string(i) + "\n  " + name_a + ": …" + a.substr(from, 500) + "\n  " + name_b +
         ": …" + b.substr(from, 500);
}

}  // namespace subsidy::testing
