#pragma once
// The what-if report as one self-contained HTML page for a bureau head (Chinese first, English with
// `english`): summary figures, per-programme bars, a waterfall of the total change, the distribution
// of changes, groups, budgets with each over-commit, the changed applicants with why, and (when
// given) the structural diff and the input-contract warnings. Inline CSS and SVG, no script, no
// external resource; every value HTML-escaped.
#include <string>

#include "eval/diff.hpp"
#include "service/whatif.hpp"

namespace subsidy::service {

std::string whatif_html(const WhatIfReport& r, const eval::RulesDiff* diff, bool english);

}  // namespace subsidy::service
