#pragma once
// "did you mean …?" — the closest candidate within a small edit distance.
#include <algorithm>
#include <string>
#include <vector>

namespace subsidy::check {

inline std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The candidate closest to `name` (edit distance below 3, in bytes), or "".
template <typename Range>
std::string closest(const std::string& name, const Range& candidates) {
  std::string best;
  std::size_t best_d = 3;
  for (const auto& cand : candidates) {
    auto d = edit_distance(name, cand);
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  }
  return best;
}

}  // namespace subsidy::check
