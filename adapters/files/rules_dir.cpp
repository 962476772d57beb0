#include "files/rules_dir.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eval/lower.hpp"
#include "json/codec.hpp"

namespace subsidy::files {

namespace fs = std::filesystem;

std::unique_ptr<LoadedRules> load_rules(const std::string& path) {
  auto lr = std::make_unique<LoadedRules>();
  std::error_code ec;
  std::vector<fs::path> paths;
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".rules") paths.push_back(it->path());
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) lr->error = "no .rules files under `" + path + "`";
    lr->dir = path;
  } else if (fs::is_regular_file(path, ec)) {
    paths.push_back(path);
    lr->dir = fs::path(path).parent_path().string();
    if (lr->dir.empty()) lr->dir = ".";
  } else {
    lr->error = "rules path `" + path + "` does not exist";
  }
  if (!lr->error.empty()) return lr;
  std::vector<std::string> shown;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      lr->error = "cannot read `" + p.string() + "`";
      return lr;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    lr->files.push_back({fs::relative(p, fs::path(lr->dir)).generic_string(), ss.str()});
    shown.push_back(p.string());
  }
  spdlog::debug("parse+check: {} files under {}", paths.size(), path);
  static_cast<service::CompiledRules&>(*lr) = std::move(*service::compile_files(lr->files, shown));
  spdlog::debug("compiled: {} errors, {} warnings", lr->diags.error_count(), lr->diags.warning_count());
  return lr;
}

void print_diagnostics(const LoadedRules& lr) {
  if (!lr.error.empty()) {
    std::fprintf(stderr, "error: %s\n", lr.error.c_str());
    return;
  }
  auto text = diag::render_all(lr.diags, lr.sources);
  std::fputs(text.c_str(), stderr);
}

CalendarFile load_calendar(LoadedRules& lr, const std::string& option) {
  CalendarFile out;
  out.path = option.empty() ? (fs::path(lr.dir.empty() ? "." : lr.dir) / "calendar" / "cn-mainland.tsv").string() : option;
  std::ifstream in(out.path, std::ios::binary);
  if (!in) {
    if (!option.empty()) out.error = "cannot read the calendar `" + out.path + "`";
    return out;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out.found = true;
  auto id = lr.sources.add(out.path, ss.str());
  out.cal = workflow::Calendar::parse(lr.sources, id, lr.diags);
  return out;
}

bool uses_working_days(const workflow::Workflow& w) {
  for (const auto& s : w.spec().stages)
    if ((s.has_deadline && s.deadline.working) || (s.has_timer && s.timer.working)) return true;
  return false;
}

PreparedFromDisk prepare(const std::string& path, const std::string& calendar_option) {
  PreparedFromDisk out;
  out.lr = load_rules(path);
  auto& lr = *out.lr;
  if (!lr.error.empty()) {
    out.error = lr.error;
    return out;
  }
  if (!lr.ruleset || !lr.workflows) {
    out.error = "the rules have errors";
    return out;
  }
  out.calendar = load_calendar(lr, calendar_option);
  if (!out.calendar.error.empty()) {
    out.error = out.calendar.error;
    return out;
  }
  if (lr.diags.has_errors()) {
    out.error = "the calendar has errors";
    return out;
  }
  if (!out.calendar.found)
    for (const auto& w : lr.workflows->workflows)
      if (uses_working_days(w)) {
        out.error = "no working-day calendar: " + out.calendar.path + " does not exist (workflow `" + w.name() +
                    "` counts working days; pass --calendar FILE, see docs/workflow.md §4)";
        return out;
      }
  out.rules = std::make_shared<const service::PreparedRules>(
      service::PreparedRules::Parts{lr.ruleset, lr.workflows, out.calendar.cal, lr.files}, json::codec());
  return out;
}

}  // namespace subsidy::files
