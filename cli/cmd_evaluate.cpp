// `subsidy evaluate --rules DIR [--as-of DATE] [--program ID]… [--explain] [--lang zh|en]
//                   [--format json|text] [--output full|summary] [--jobs N] [--progress|--no-progress]
//                   [--no-fusion] [--no-fast-decode] [FILE|-]`
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <thread>

#include "cli/commands.hpp"
#include "cli/stream_io.hpp"
#include "cli/exit_codes.hpp"
#include "files/rules_dir.hpp"
#include "eval/lower.hpp"
#include "json/codec.hpp"
#include "service/batch.hpp"
#include "model/date.hpp"

namespace subsidy::cli {

namespace {

struct EvalOptions {
  std::string rules;
  std::string as_of;
  std::vector<std::string> programs;
  bool explain = false;
  std::string lang = "zh";
  std::string format = "json";
  unsigned jobs = 0;
  bool progress = false, no_progress = false;
  bool no_fusion = false;
  bool no_fast_decode = false;
  std::string output = "full";
  std::string input = "-";
};

int run_evaluate(const EvalOptions& o) {
  if (o.output == "summary" && (o.explain || o.format == "text")) {
    std::fprintf(stderr, "error: --output summary writes outcomes and amounts only: it cannot be combined with %s\n",
                 o.explain ? "--explain" : "--format text");
    return kExitUsage;
  }
  auto lr = files::load_rules(o.rules);
  if (!lr->ruleset) {
    files::print_diagnostics(*lr);
    return kExitRules;
  }
  if (o.no_fusion) {  // diagnostic: the same sources lowered without fused fast paths
    diag::Diagnostics diags;
    auto plain = eval::compile(lr->sources, diags, lr->ruleset->hash, eval::LowerOptions{.fuse = false});
    if (!plain.ruleset) {
      std::fprintf(stderr, "error: the rules could not be lowered without fusion\n");
      return kExitInternal;
    }
    lr->ruleset = std::move(plain.ruleset);
  }
  const auto& rs = *lr->ruleset;
  service::BatchOptions bo;
  bo.as_of = o.as_of.empty() ? model::today_cst() : *model::parse_date(o.as_of);
  bo.explain = o.explain;
  bo.english = o.lang == "en";
  bo.text = o.format == "text";
  bo.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (!o.programs.empty()) {
    bo.selection.assign(rs.programs.size(), 0);
    for (const auto& p : o.programs) {
      int i = rs.find_program(p);
      if (i < 0) {
        std::string known;
        for (const auto& prog : rs.programs) known += " " + prog.id;
        std::fprintf(stderr, "error: unknown programme `%s` (--program); the ruleset has:%s\n", p.c_str(), known.c_str());
        return kExitUsage;
      }
      bo.selection[static_cast<std::size_t>(i)] = 1;
    }
  }
  std::FILE* in = stdin;
  std::size_t size_hint = 0;
  if (o.input != "-") {
    in = std::fopen(o.input.c_str(), "rb");
    if (!in) {
      std::fprintf(stderr, "error: cannot open input `%s`: %s\n", o.input.c_str(), std::strerror(errno));
      return kExitInput;
    }
    struct stat st {};
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) size_hint = static_cast<std::size_t>(st.st_size);
  }
  // Output is written in whole blocks (hundreds of KiB): unbuffered stdout avoids copying each
  // block once more into a stdio buffer.
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  Progress progress(o.progress || (!o.no_progress && ::isatty(STDERR_FILENO)), size_hint);
  bo.progress = [&progress](std::size_t records, std::size_t bytes, bool final) { progress.update(records, bytes, final); };
  FileSource source(in);
  FileSink sink(stdout);
  auto res = service::run_batch(rs, json::codec({.fast_decode = !o.no_fast_decode, .summary = o.output == "summary"}), bo,
                                source, sink);
  if (in != stdin) std::fclose(in);
  if (std::fflush(stdout) != 0 && res.io_error.empty()) res.io_error = std::string("writing output: ") + std::strerror(errno);
  if (!res.io_error.empty()) {
    std::fprintf(stderr, "error: %s\n", res.io_error.c_str());
    return kExitInput;
  }
  if (res.with_errors)
    std::fprintf(stderr, "error: %zu decision%s had a programme in `error` (first: line %zu); see \"errors\" in the output\n",
                 res.with_errors, res.with_errors == 1 ? "" : "s", res.first_error_line);
  // Undecodable records (3) take precedence over evaluation errors (9): both are reported above.
  if (res.failed) {
    std::fprintf(stderr, "error: %zu of %zu record%s could not be decoded (first: line %zu, %s); see the error records in the output\n",
                 res.failed, res.records, res.records == 1 ? "" : "s", res.first_failed_line, res.first_failure.c_str());
    return kExitInput;
  }
  if (res.records == 0) {
    std::fprintf(stderr, "error: the input holds no applicant\n");
    return kExitInput;
  }
  return res.with_errors ? kExitEvaluation : kExitOk;
}

}  // namespace

void add_evaluate_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "evaluate",
      "decide eligibility and amounts for applicants: one JSON object, or JSON Lines (one applicant per line);\n"
      "writes one JSON decision per applicant in input order (contract: docs/integration.md)");
  cmd->add_option("--rules", o->rules, "rules directory")->required();
  cmd->add_option("--as-of", o->as_of, "evaluation date YYYY-MM-DD (default: today, China Standard Time)")
      ->check([](const std::string& s) { return model::parse_date(s) ? std::string() : "not a date (YYYY-MM-DD): " + s; });
  cmd->add_option("--program", o->programs, "evaluate only this programme (repeatable)")
      ->type_size(1)
      ->allow_extra_args(false);
  cmd->add_flag("--explain", o->explain, "add the explanation: requirements, formula, parameters, caps, citations");
  cmd->add_option("--lang", o->lang, "language of explanations: zh or en")->check(CLI::IsMember({"zh", "en"}));
  cmd->add_option("--format", o->format, "json (one line per applicant) or text (readable explanations)")
      ->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--output", o->output,
                  "full (the decision as documented, default) or summary (compact: id, each programme's outcome and "
                  "amount_fen, total_fen, capped, errors; docs/integration.md)")
      ->check(CLI::IsMember({"full", "summary"}));
  cmd->add_option("-j,--jobs", o->jobs, "worker threads (default: the machine's cores)")->check(CLI::Range(1u, 256u));
  auto* pg = cmd->add_flag("--progress", o->progress, "always show a progress line on stderr");
  auto* npg = cmd->add_flag("--no-progress", o->no_progress, "never show progress (default: only when stderr is a terminal)");
  pg->excludes(npg);
  cmd->add_flag("--no-fusion", o->no_fusion,
                "diagnostic: lower the rules without fused fast paths (decisions must be identical)")
      ->group("");  // hidden: documented in docs/integration.md
  cmd->add_flag("--no-fast-decode", o->no_fast_decode,
                "diagnostic: decode every record with the strict decoder only (output must be identical)")
      ->group("");  // hidden: documented in docs/integration.md
  cmd->add_option("FILE", o->input, "input file, or - for standard input (default)");
  cmd->callback([&action, o] { action = [o] { return run_evaluate(*o); }; });
}

}  // namespace subsidy::cli
