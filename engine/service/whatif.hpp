#pragma once
// What-if (`subsidy rules whatif`, docs/whatif.md): a rule draft against a population (JSON Lines,
// streamed once, each record decoded once when both rulesets read the same facts, and evaluated with
// both rulesets; memory flat in the population) or against the stored cases (their latest facts at the
// as-of date, with the awards feedback as the case commands use). Per programme: eligible count and
// total base → draft and Δ (exact 分); grouped by a fact; gainers and losers in bands; the budgets of
// the year, demand base → draft, and each one the draft over-commits; the changed applicants (a
// bounded sample, or all of them streamed in input order) each with why (eval::why_changed).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eval/diff.hpp"
#include "eval/ruleset.hpp"
#include "model/date.hpp"
#include "model/money.hpp"
#include "service/batch.hpp"
#include "service/codec.hpp"
#include "service/prepared.hpp"
#include "store/budget.hpp"
#include "store/case_repository.hpp"

namespace subsidy::service {

// Gainers and losers. An applicant (or, per programme, an applicant's result for that programme) is
// newly eligible when it was eligible for nothing before, newly refused when it is eligible for
// nothing now, else more / less / same by its amount. Applicants eligible in neither are in no band.
enum class Band : std::uint8_t { newly_eligible, newly_refused, more, less, same };
inline constexpr std::size_t kBands = 5;
const char* band_name(Band b);                 // "newly_eligible", …
const char* band_label(Band b, bool english);  // "新增符合", … / "newly eligible", …

struct BandTotals {
  std::int64_t count = 0;
  model::Fen base = 0, draft = 0;  // the amounts of those applicants (results) on each side
  model::Fen delta() const { return draft - base; }
};
using Bands = std::array<BandTotals, kBands>;

struct ProgrammeTotals {
  std::string id;
  std::string title_zh, title_en;
  int base_index = -1, draft_index = -1;  // -1: not in that ruleset
  std::int64_t base_eligible = 0, draft_eligible = 0;
  model::Fen base_amount = 0, draft_amount = 0;  // sum of eligible amounts
  Bands bands{};
};

// One value of the --by fact.
struct GroupTotals {
  std::string key;
  std::int64_t applicants = 0, changed = 0;
  std::int64_t base_eligible = 0, draft_eligible = 0;  // applicants eligible for some programme
  model::Fen base_amount = 0, draft_amount = 0;        // their totals
};

struct ProgrammeChange {
  std::string programme;
  std::string base_outcome, draft_outcome;  // model::outcome_name, or "absent"
  model::Fen base_amount = 0, draft_amount = 0;
  Band band = Band::same;
  eval::WhyChanged why;
};
struct ChangedApplicant {
  std::string id;
  std::size_t line = 0;      // population: the record's line; 0 for cases
  std::int64_t case_id = 0;  // cases: the case id
  std::string group;         // the --by value ("" without --by)
  model::Fen base_total = 0, draft_total = 0;
  Band band = Band::same;
  std::vector<ProgrammeChange> programmes;  // the programmes whose result changed
};

struct BudgetCheck {
  std::string programme;
  int year = 0;
  model::Fen total = 0, available = 0;  // the budget's total, and what is left of it now
  model::Fen base_demand = 0, draft_demand = 0;
  bool base_over = false, draft_over = false;  // demand > total
};

struct WhatIfReport {
  std::string source;  // "population" or "cases"
  std::string base_hash, draft_hash;
  model::Days as_of = 0;
  std::string by;  // the --by fact, or ""
  std::size_t records = 0, failed = 0, first_failed_line = 0;
  std::string first_failure;
  std::size_t with_errors = 0;  // records with a programme in `error` on either side
  std::vector<ProgrammeTotals> programmes;  // base order, then the draft's new ones
  Bands bands{};                            // per applicant, by its total
  std::int64_t eligible_in_neither = 0;
  model::Fen base_total = 0, draft_total = 0;
  std::vector<GroupTotals> groups;  // by key
  std::vector<BudgetCheck> budgets;
  int budget_year = 0;
  std::int64_t changed = 0;
  std::vector<ChangedApplicant> sample;  // the first changed ones in input order (all when changed <= the bound)
  std::string io_error;
  model::Fen delta() const { return draft_total - base_total; }
};

struct WhatIfOptions {
  model::Days as_of = 0;
  unsigned jobs = 1;
  std::string by;                // group by this fact ("": no grouping)
  std::size_t sample = 20;       // changed applicants kept in the report
  bool all = false;              // every changed applicant, formatted by `format_changed` into the sink
  bool english = false;          // language of the why texts
  std::size_t block_bytes = 1 << 18;
  std::function<void(const ChangedApplicant&, std::string& out)> format_changed;
  std::function<void(std::size_t records, std::size_t bytes, bool final)> progress;
};

// ServiceError usage: `by` names no fact of either ruleset.
WhatIfReport whatif_population(const eval::Ruleset& base, const eval::Ruleset& draft, const Codec& codec,
                               const WhatIfOptions& opt, ByteSource& in, ByteSink& changed_out);

// The stored cases: open ones (or all with `all_stages`), of `year` (their call year) when given.
struct CaseScope {
  std::optional<int> year;
  bool all_stages = false;
};
WhatIfReport whatif_cases(const PreparedRules& base, const PreparedRules& draft, store::CaseRepository& repo,
                          const WhatIfOptions& opt, const CaseScope& scope, ByteSink& changed_out);

// The budgets of `year` against the report's per-programme demand (sets report.budgets, budget_year).
void check_budgets(WhatIfReport& report, const std::vector<store::Budget>& budgets, int year);

// A structural diff as one JSON object, {"changes":[…],"contract":[…]} (`rules diff --format json`,
// POST /v1/rules/diff).
std::string diff_json(const eval::RulesDiff& d);

// The report as one JSON object (docs/whatif.md): the `changed` array holds the sample.
std::string whatif_json(const WhatIfReport& r, bool english);
// One changed applicant as one JSON object (no line end) and as CSV rows (one per programme changed).
std::string changed_json(const ChangedApplicant& c, bool english);
std::string changed_csv(const ChangedApplicant& c, bool english);
// The report as CSV (RFC 4180, CRLF): the header, then rows by `section` — programme, total, band,
// group, budget — with the columns section,key,programme,base,draft,base_yuan,draft_yuan,delta_yuan,
// band,detail (base/draft: eligible counts; for a budget 1 when over budget). The changed rows
// (changed_csv, section `changed`, base/draft: outcomes) follow.
std::string whatif_csv(const WhatIfReport& r, bool english);
std::string changed_csv_header();

}  // namespace subsidy::service
