// Golden tests for the language: every tests/golden/<stage>/{good,bad}/NAME.rules is compiled and
// its rendered diagnostics compared with NAME.expect. `good` files must compile without errors.
// Set SUBSIDY_UPDATE_GOLDEN=1 to rewrite the .expect files, then review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "files/rules_dir.hpp"
#include "dsl/parse.hpp"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> cases() {
  std::vector<fs::path> out;
  fs::path root = fs::path(SUBSIDY_SOURCE_DIR) / "tests" / "golden";
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".rules") out.push_back(fs::relative(e.path(), SUBSIDY_SOURCE_DIR));
  std::sort(out.begin(), out.end());
  return out;
}

class Golden : public ::testing::TestWithParam<fs::path> {};

TEST_P(Golden, MatchesExpect) {
  fs::current_path(SUBSIDY_SOURCE_DIR);
  const fs::path& rules = GetParam();
  auto lr = subsidy::files::load_rules(rules.generic_string());
  ASSERT_TRUE(lr->error.empty()) << lr->error;
  // The parse stage checks syntax only: its files need not be meaningful rulesets.
  if (rules.parent_path().parent_path().filename() == "parse") {
    lr->diags = subsidy::diag::Diagnostics{};
    std::uint32_t next_id = 1;
    subsidy::dsl::parse(lr->sources, 0, lr->diags, next_id);
  }
  std::string actual = subsidy::diag::render_all(lr->diags, lr->sources);
  bool good = rules.parent_path().filename() == "good";
  if (good) EXPECT_FALSE(lr->diags.has_errors()) << actual;
  else EXPECT_TRUE(lr->diags.has_errors()) << "a bad/ case must produce errors";
  fs::path expect = fs::path(rules).replace_extension(".expect");
  if (std::getenv("SUBSIDY_UPDATE_GOLDEN")) {
    std::ofstream(expect, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expect)) << expect << " is missing; run with SUBSIDY_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(read(expect), actual);
}

std::string name_of(const ::testing::TestParamInfo<fs::path>& info) {
  std::string s = info.param.parent_path().parent_path().filename().string() + "_" +
                  info.param.parent_path().filename().string() + "_" + info.param.stem().string();
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Language, Golden, ::testing::ValuesIn(cases()), name_of);

}  // namespace
