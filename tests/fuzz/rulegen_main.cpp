// `rulegen [--small] SEED [COUNT]`: prints the random well-typed rule file of
// tests/support/rulegen.hpp for SEED; with COUNT, writes COUNT files SEED…SEED+COUNT-1 as
// gen-<seed>.rules into the current folder instead. `--small`: few declarations per file (still
// every kind, tables up to 10 inputs) — quick to run, for fuzz seeds. scripts/fuzz.sh seeds the
// `rules` fuzz target's corpus with them.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "support/rulegen.hpp"

int main(int argc, char** argv) {
  subsidy::testing::RulegenOptions opts;
  if (argc > 1 && std::string(argv[1]) == "--small") {
    opts.max_enums = 2;
    opts.max_extra_facts = 4;
    opts.max_params = 3;
    opts.max_tables = 3;
    opts.max_rows = 4;
    opts.max_programs = 3;
    opts.max_requirements = 3;
    opts.max_exceptions = 3;
    opts.max_groups = 2;
    opts.max_tests = 1;
    opts.max_depth = 2;
    --argc;
    ++argv;
  }
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: rulegen [--small] SEED [COUNT]\n");
    return 2;
  }
  char* end = nullptr;
  const std::uint64_t seed = std::strtoull(argv[1], &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "rulegen: SEED must be a non-negative integer, not `%s`\n", argv[1]);
    return 2;
  }
  if (argc == 2) {
    std::fputs(subsidy::testing::random_rules(seed, opts).c_str(), stdout);
    return 0;
  }
  const std::uint64_t count = std::strtoull(argv[2], &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "rulegen: COUNT must be a non-negative integer, not `%s`\n", argv[2]);
    return 2;
  }
  for (std::uint64_t s = seed; s < seed + count; ++s) {
    const std::string path = "gen-" + std::to_string(s) + ".rules";
    std::ofstream out(path, std::ios::binary);
    out << subsidy::testing::random_rules(s, opts);
    if (!out) {
      std::fprintf(stderr, "rulegen: cannot write `%s`\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
