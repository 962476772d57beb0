// Error and refusal output (see output.hpp).
#include "cli/output.hpp"

#include "json/error_object.hpp"

#include <cstdio>

namespace subsidy::cli {

std::string error_json(const ErrorView& e) { return json::error_object(e.kind, e.code, e.message, e.details); }

std::string error_text(const ErrorView& e) { return e.kind == "refused" ? e.message : "error: " + e.message; }

int report_error(const ErrorView& e, bool json) {
  std::fprintf(stderr, "%s\n", error_text(e).c_str());
  if (json) {
    std::fprintf(stdout, "%s\n", error_json(e).c_str());
    std::fflush(stdout);
  }
  return e.exit_code;
}

}  // namespace subsidy::cli
