// CaseFilter's selections on the case columns (applicant, closed, timer_due), as every repository
// applies them (tests/adapters/soci/repository_test.cpp runs them against each backend).
#include <gtest/gtest.h>

#include "store/case.hpp"

namespace subsidy::store {
namespace {

Case with_columns(const std::string& applicant, bool closed, std::optional<model::Days> timer) {
  Case c;
  c.id = 5;
  c.application_id = "A";
  c.applicant = applicant;
  c.closed = closed;
  c.timer_due = timer;
  return c;
}

TEST(CaseFilter, ApplicantMatchesTheWholeKey) {
  CaseFilter f;
  f.applicant = "914403001922038216";
  EXPECT_TRUE(matches(f, with_columns("914403001922038216", false, {})));
  EXPECT_FALSE(matches(f, with_columns("91440300192203821", false, {})));
  EXPECT_FALSE(matches(f, with_columns("", false, {})));
}

TEST(CaseFilter, ClosedUnsetMatchesBoth) {
  CaseFilter f;
  EXPECT_TRUE(matches(f, with_columns("X", true, {})));
  EXPECT_TRUE(matches(f, with_columns("X", false, {})));
  f.closed = false;
  EXPECT_FALSE(matches(f, with_columns("X", true, {})));
  EXPECT_TRUE(matches(f, with_columns("X", false, {})));
  f.closed = true;
  EXPECT_TRUE(matches(f, with_columns("X", true, {})));
  EXPECT_FALSE(matches(f, with_columns("X", false, {})));
}

TEST(CaseFilter, TimerBeforeIsStrictAndNeedsATimer) {
  CaseFilter f;
  f.timer_before = 100;
  EXPECT_TRUE(matches(f, with_columns("X", false, 99)));
  EXPECT_FALSE(matches(f, with_columns("X", false, 100)));  // the period's last day: still running
  EXPECT_FALSE(matches(f, with_columns("X", false, 101)));
  EXPECT_FALSE(matches(f, with_columns("X", false, std::nullopt)));
  f.after_id = 5;  // combined with keyset paging
  EXPECT_FALSE(matches(f, with_columns("X", false, 99)));
}

}  // namespace
}  // namespace subsidy::store
