#pragma once
// Workflows as text for people (`subsidy workflow show`), as Graphviz DOT (`subsidy workflow dot`)
// and as a self-contained SVG (the desk's case page). Pure string builders; the callers print them.
#include <span>
#include <string>
#include <string_view>

#include "workflow/workflow.hpp"

namespace subsidy::workflow {

// The reserving stage, then every stage with its labels, responsible roles and guards, joint
// reviewers and policy, deadline, adjustable amount, timer and transitions; then the roles the
// workflow uses. Not a stable format.
std::string show_text(const Workflow& wf);

// A `digraph` named after the workflow: stages as boxes (terminal: double octagons, correction:
// dashed), transitions labelled with action and guard (return edges dashed, timers dotted).
std::string to_dot(const Workflow& wf);

// An SVG picture of the workflow (render_svg.cpp), drawn without Graphviz: the stages as boxes in
// layers from left to right (the longest forward path from the start: returns and `-> back` go
// under the boxes, dashed), each labelled with its Chinese label — its English one when `english`
// — and its name; every transition between two stages once, labelled with the action labels (a
// timer with its label or period). The stages named in `current` have the class `current` (and a
// highlight of their own). Every label is XML-escaped; no <style>, no style="", no script, so it
// can be inlined under a strict Content-Security-Policy. The same workflow gives the same bytes.
// Classes: svg.workflow, g.stage (.terminal, .correction, .current, data-stage=NAME), g.edge
// (.return, .timer, data-from, data-to).
std::string render_svg(const Workflow& wf, std::span<const std::string> current, bool english);

// `s` with & < > " ' as XML character references (text and attribute values alike).
std::string xml_escape(std::string_view s);

// "5 working days", "30 days", "1 working day".
std::string period_text(const eval::PeriodSpec& p);

}  // namespace subsidy::workflow
