#pragma once
// "did you mean …?" — the closest candidate within a small edit distance, counted in Unicode code
// points (so that `市科技` is one edit away from `市科技局`).
#include <algorithm>
#include <string>
#include <vector>

namespace subsidy::diag {

// UTF-8 → code points (invalid bytes count as one unit each).
inline std::vector<char32_t> code_points(const std::string& s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > s.size()) n = 1;
    char32_t cp = n == 1 ? c : c & (0xFFu >> (n + 1));
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    out.push_back(cp);
    i += n;
  }
  return out;
}

inline std::size_t edit_distance(const std::vector<char32_t>& a, const std::vector<char32_t>& b);

inline std::size_t edit_distance(const std::string& a8, const std::string& b8) {
  auto a = code_points(a8), b = code_points(b8);
  return edit_distance(a, b);
}

// edit_distance(a, b) when it is below `limit`, else `limit`; candidates whose lengths differ by
// `limit` or more cost nothing (a suggestion among tens of thousands of names stays cheap).
inline std::size_t edit_distance_below(const std::vector<char32_t>& a, const std::string& b8, std::size_t limit) {
  auto b = code_points(b8);
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) >= limit) return limit;
  return std::min(edit_distance(a, b), limit);
}

inline std::size_t edit_distance(const std::vector<char32_t>& a, const std::vector<char32_t>& b) {
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

// The candidate closest to `name` (fewer than 3 edits), or "".
class Closest {
 public:
  explicit Closest(const std::string& name) : name_(code_points(name)) {}
  void consider(const std::string& candidate) {
    auto d = edit_distance_below(name_, candidate, best_d_);
    if (d < best_d_) {
      best_d_ = d;
      best_ = candidate;
    }
  }
  const std::string& best() const { return best_; }

 private:
  std::vector<char32_t> name_;
  std::string best_;
  std::size_t best_d_ = 3;
};

template <typename Range>
std::string closest(const std::string& name, const Range& candidates) {
  Closest c(name);
  for (const auto& cand : candidates) c.consider(cand);
  return c.best();
}

}  // namespace subsidy::diag
