#pragma once
// Runs the `test` blocks of a Ruleset and measures which programmes and requirements they exercise.
#include <string>
#include <vector>

#include "eval/ruleset.hpp"

namespace subsidy::eval {

struct TestFailure {
  std::size_t test = 0;   // index into Ruleset::tests
  diag::Span span;        // the failing `expect`
  std::string expected;
  std::string actual;
};

struct TestReport {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::vector<TestFailure> failures;
  std::vector<std::size_t> uncovered_programs;                            // never named by an expectation
  std::vector<std::pair<std::size_t, std::size_t>> uncovered_requirements;  // (programme, requirement) never seen failing
};

// Tests without `as of` use `default_as_of`.
TestReport run_tests(const Ruleset& rs, Days default_as_of);

}  // namespace subsidy::eval
