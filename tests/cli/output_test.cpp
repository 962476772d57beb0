// cli/output: the JSON error object and the text form of errors and refusals.
#include "cli/output.hpp"

#include <gtest/gtest.h>

namespace subsidy::cli {
namespace {

ErrorView refusal() {
  return {"refused", "budget_exceeded", "budget R14 2024 has 100.00 元 available; the case needs 500.00 元",
          {{"programme", "R14"}, {"available_fen", "10000"}, {"needed_fen", "50000"}}, 8};
}

TEST(ErrorJson, IsOneObjectWithKindCodeMessageAndDetails) {
  EXPECT_EQ(error_json(refusal()),
            R"({"error":{"kind":"refused","code":"budget_exceeded","message":"budget R14 2024 has 100.00 元 available; the case needs 500.00 元",)"
            R"("details":{"programme":"R14","available_fen":"10000","needed_fen":"50000"}}})");
}

TEST(ErrorJson, EscapesQuotesAndLineBreaksAndHasEmptyDetailsWhenNone) {
  ErrorView e{"input", "bad_facts", "line 1: \"x\"\nis not valid", {}, 3};
  EXPECT_EQ(error_json(e), R"({"error":{"kind":"input","code":"bad_facts","message":"line 1: \"x\"\nis not valid","details":{}}})");
}

TEST(ErrorText, RefusalsAsTheyAreOtherErrorsAfterAPrefix) {
  EXPECT_EQ(error_text(refusal()), refusal().message);
  EXPECT_EQ(error_text({"not_found", "no_such_case", "no case 42", {}, 3}), "error: no case 42");
}

TEST(ReportError, ReturnsTheExitCode) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  EXPECT_EQ(report_error(refusal(), true), 8);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), refusal().message + "\n");
  EXPECT_EQ(testing::internal::GetCapturedStdout(), error_json(refusal()) + "\n");
}

TEST(ReportError, TextOnlyPrintsNothingOnStdout) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  EXPECT_EQ(report_error({"database", "locked", "database is locked", {}, 7}, false), 7);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "error: database is locked\n");
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}

}  // namespace
}  // namespace subsidy::cli
