#pragma once
// Workflows as text for people (`subsidy workflow show`) and as Graphviz DOT (`subsidy workflow dot`).
// Pure string builders; the CLI prints them.
#include <string>

#include "workflow/workflow.hpp"

namespace subsidy::workflow {

// The reserving stage, then every stage with its labels, responsible roles and guards, joint
// reviewers and policy, deadline, adjustable amount, timer and transitions; then the roles the
// workflow uses. Not a stable format.
std::string show_text(const Workflow& wf);

// A `digraph` named after the workflow: stages as boxes (terminal: double octagons, correction:
// dashed), transitions labelled with action and guard (return edges dashed, timers dotted).
std::string to_dot(const Workflow& wf);

// "5 working days", "30 days", "1 working day".
std::string period_text(const eval::PeriodSpec& p);

}  // namespace subsidy::workflow
