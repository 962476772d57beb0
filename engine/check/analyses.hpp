#pragma once
// Static analyses run after type checking: unique-hit table gaps/overlaps, exception conflicts and
// exceptions that can never apply.
#include "check/check.hpp"

namespace subsidy::check {

void analyse_tables(const CheckResult& r, diag::Diagnostics& diags);
void analyse_exceptions(const CheckResult& r, diag::Diagnostics& diags);

inline void run_analyses(const CheckResult& r, diag::Diagnostics& diags) {
  if (diags.has_errors()) return;  // analyses assume well-typed declarations
  analyse_tables(r, diags);
  analyse_exceptions(r, diags);
}

}  // namespace subsidy::check
