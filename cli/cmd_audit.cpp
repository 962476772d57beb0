// `subsidy audit verify [--case ID] [--format text|json]` (docs/storage.md §4): the cases' event
// chains and the budgets' ledgers; exit 1 when tampering is found.
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "json/case_json.hpp"

namespace subsidy::cli {

namespace {

struct AuditOptions {
  std::string db, format = "text";
  long long id = 0;
};

// The text report lists at most this many findings in all (each chain's are capped already,
// store::kMaxFindingsPerChain); `--format json` lists every finding the audit kept.
constexpr std::size_t kMaxListedFindings = 1000;

std::string plural(std::int64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

int run_verify(const AuditOptions& o) {
  return guarded([&] {
    auto repo = open_db(o.db);
    std::optional<store::CaseId> only;
    if (o.id) only = o.id;
    const auto rep = repo->verify_audit(only);
    if (o.format == "json") {
      std::printf("%s\n", boost::json::serialize(json::audit_object(rep)).c_str());
      return rep.clean() ? kExitOk : kExitTestsFailed;
    }
    const std::size_t listed = std::min(rep.findings.size(), kMaxListedFindings);
    for (std::size_t i = 0; i < listed; ++i) {
      const store::AuditFinding& f = rep.findings[i];
      const std::string owner = f.budget.empty() ? "case " + std::to_string(f.case_id) : "budget " + f.budget;
      std::printf("%s seq %lld: %s: %s\n", owner.c_str(), static_cast<long long>(f.seq), store::finding_kind_name(f.kind),
                  f.message.c_str());
    }
    if (listed < rep.findings.size()) {
      std::printf("… and %zu more findings, not listed (--format json lists them all)\n", rep.findings.size() - listed);
    }
    std::string checked = plural(rep.cases, "case") + ", " + plural(rep.events, "event");
    if (!only) checked += ", " + plural(rep.budgets, "budget") + ", " + plural(rep.budget_events, "budget event");
    std::printf("%s checked: %s\n", checked.c_str(),
                rep.clean() ? "every chain verifies"
                            : (std::to_string(rep.findings.size()) + " finding(s): the history was tampered with").c_str());
    return rep.clean() ? kExitOk : kExitTestsFailed;
  }, o.format == "json");
}

}  // namespace

void add_audit_commands(CLI::App& app, Action& action) {
  auto* ac = app.add_subcommand("audit", "verify the tamper-evident event chains and budget ledgers (docs/storage.md §4)");
  ac->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();
  auto* v = ac->add_subcommand(
      "verify", "recompute every case's chain and every budget's ledger; name each altered, deleted or reordered event (exit 1)");
  add_db_option(v, o->db);
  v->add_option("--case", o->id, "only this case (budgets are then not checked)");
  v->add_option("--format", o->format, "text (default) or json (one object: counts and findings)")
      ->check(CLI::IsMember({"text", "json"}));
  v->callback([&action, o] { action = [o] { return run_verify(*o); }; });
}

}  // namespace subsidy::cli
