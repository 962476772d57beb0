// Error and refusal output (see output.hpp).
#include "cli/output.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace subsidy::cli {

std::string error_json(const ErrorView& e) {
  boost::json::object details;
  for (const auto& [k, v] : e.details) details[k] = v;
  boost::json::object err;
  err["kind"] = e.kind;
  err["code"] = e.code;
  err["message"] = e.message;
  err["details"] = std::move(details);
  boost::json::object o;
  o["error"] = std::move(err);
  return boost::json::serialize(o);
}

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
