// `subsidy audit verify [--case ID]` (docs/storage.md §4): exit 1 when tampering is found.
#include <cstdio>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace subsidy::cli {

namespace {

struct AuditOptions {
  std::string db;
  long long id = 0;
};

int run_verify(const AuditOptions& o) {
  return guarded([&] {
    auto repo = open_db(o.db);
    std::optional<store::CaseId> only;
    if (o.id) only = o.id;
    auto rep = repo->verify_audit(only);
    for (const auto& f : rep.findings)
      std::printf("case %lld seq %lld: %s: %s\n", static_cast<long long>(f.case_id), static_cast<long long>(f.seq),
                  store::finding_kind_name(f.kind), f.message.c_str());
    std::printf("%lld case%s, %lld event%s checked: %s\n", static_cast<long long>(rep.cases), rep.cases == 1 ? "" : "s",
                static_cast<long long>(rep.events), rep.events == 1 ? "" : "s",
                rep.clean() ? "every chain verifies" : (std::to_string(rep.findings.size()) + " finding(s): the history was tampered with").c_str());
    return rep.clean() ? kExitOk : kExitTestsFailed;
  });
}

}  // namespace

void add_audit_commands(CLI::App& app, Action& action) {
  auto* ac = app.add_subcommand("audit", "verify the tamper-evident event chains (docs/storage.md §4)");
  ac->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();
  auto* v = ac->add_subcommand("verify", "recompute every chain and name each altered, deleted or reordered event (exit 1)");
  add_db_option(v, o->db);
  v->add_option("--case", o->id, "only this case");
  v->callback([&action, o] { action = [o] { return run_verify(*o); }; });
}

}  // namespace subsidy::cli
