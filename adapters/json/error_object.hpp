#pragma once
// The JSON error object every caller prints (docs/integration.md §5.1) — the CLI with --format json,
// the HTTP service in every error response:
//   {"error":{"kind":"refused","code":"budget_exceeded","message":"…","details":{"case":"7",…}}}
#include <string>
#include <string_view>

#include "service/errors.hpp"

namespace subsidy::json {

std::string error_object(std::string_view kind, std::string_view code, std::string_view message, const service::Details& details);

}  // namespace subsidy::json
