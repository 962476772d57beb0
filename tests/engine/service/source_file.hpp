#pragma once
// The service tests' one helper for reading a file of the source tree (rules, test data).
#include <fstream>
#include <sstream>
#include <string>

namespace subsidy::service::testing_files {

// The bytes of `rel`, a path relative to the source directory ("" when it cannot be read).
inline std::string read(const std::string& rel) {
  std::ifstream in(std::string(SUBSIDY_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace subsidy::service::testing_files
