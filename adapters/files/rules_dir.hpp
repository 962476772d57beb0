#pragma once
// Rule sources from disk: a rules directory (every *.rules file below it, in path order) compiled
// and its workflows validated (engine/workflow: graph checks E0720–E0726), the working-day
// calendar beside it, and the prepared rules (service/prepared.hpp) built from both with the JSON
// codec. The one place that reads rules and calendars from files.
#include <memory>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/source.hpp"
#include "eval/ruleset.hpp"
#include "service/prepared.hpp"
#include "workflow/calendar.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::files {

struct LoadedRules : service::CompiledRules {     // sources, diags, ruleset, workflows
  std::vector<store::RulesetFile> files;  // the rule files read (paths relative to the directory)
  std::string dir;                        // the rules directory (a file's folder)
  std::string error;                      // set when the path could not be read
};

std::unique_ptr<LoadedRules> load_rules(const std::string& path);

// Prints diagnostics (or the read error) to stderr as text.
void print_diagnostics(const LoadedRules& lr);

// The working-day calendar: the file `option` names (an error when it cannot be read), else
// <rules dir>/calendar/cn-mainland.tsv when it exists. Its syntax errors become diagnostics of `lr`.
struct CalendarFile {
  workflow::Calendar cal;
  std::string path;
  bool found = false;
  std::string error;  // `option` could not be read
};
CalendarFile load_calendar(LoadedRules& lr, const std::string& option = {});

// Whether a workflow counts working days (and so needs a calendar).
bool uses_working_days(const workflow::Workflow& w);

// Rules, calendar and prepared rules in one: `error` (then nothing else) when the rules cannot be
// read or compiled, the calendar cannot be read or has errors, or a workflow counts working days
// and there is no calendar (docs/workflow.md §4). `lr` keeps the diagnostics either way.
struct PreparedFromDisk {
  std::unique_ptr<LoadedRules> lr;
  CalendarFile calendar;
  std::shared_ptr<const service::PreparedRules> rules;
  std::string error;  // a sentence; diagnostics are in lr->diags
};
PreparedFromDisk prepare(const std::string& path, const std::string& calendar_option = {});

}  // namespace subsidy::files
