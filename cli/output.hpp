#pragma once
// How a command reports an error or a refusal (docs/integration.md §5.1): the text form on stderr,
// and with --format json also one JSON object on stdout:
//   {"error":{"kind":"refused","code":"budget_exceeded","message":"…","details":{"available":"…"}}}
#include <string>
#include <utility>
#include <vector>

namespace subsidy::cli {

struct ErrorView {
  std::string kind;  // refused | usage | input | rules | conflict | not_found | database | internal
  std::string code;  // stable, snake_case: match on it
  std::string message;  // for people; may change
  std::vector<std::pair<std::string, std::string>> details;  // key → value, in this order
  int exit_code = 0;
};

// The JSON object, one line without a newline.
std::string error_json(const ErrorView& e);
// The text form: a refusal's message as it is, any other error after "error: ".
std::string error_text(const ErrorView& e);
// Prints the text form on stderr and, when `json`, the JSON object on stdout; returns e.exit_code.
int report_error(const ErrorView& e, bool json);

}  // namespace subsidy::cli
