// Property: every budget movement is one case's own (docs/cases.md §5). Seeded random sequences of
// submit / act (every action the workflow offers at the stage, and some it does not) / correct /
// budget set (also late, after approvals) / allocate over a few cases of two programmes with small
// budgets, on the in-memory repository and on SQLite (a temporary file), and on PostgreSQL and
// MariaDB (fewer sequences; a schema or database of its own) when SUBSIDY_TEST_PG /
// SUBSIDY_TEST_MARIADB are set. After every step:
//   - reserved + consumed <= total, and the budget's reserved / consumed are the sums of its cases';
//   - an open case holds 0, its decided amount or its last allocation, and has consumed nothing;
//   - a rejected / withdrawn / closed case holds and consumed nothing;
//   - a disbursed case holds nothing and consumed exactly its award when a budget existed at payout
//     (without a budget it was paid outside budget control and consumed nothing).
#include <gtest/gtest.h>

#include "engine/service/source_file.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "adapters/soci/test_database.hpp"
#include "files/rules_dir.hpp"
#include "model/date.hpp"
#include "service/cases.hpp"
#include "workflow/case_state.hpp"

namespace subsidy::service {
namespace {

using subsidy::testing::Kind;
using subsidy::testing::TestDatabase;

constexpr int kSequences = 200, kSteps = 40, kMaxCases = 4, kYear = 2025;
const char* const kProgrammes[] = {"R14", "R08"};  // competitive (fixed 20万) and formula (20% of the investment)

using testing_files::read;

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

// The applicant's facts for `programme`: eligible or refused; R08 pays 20% of `investment` yuan.
std::string facts_for(const std::string& programme, const std::string& id, bool eligible, long long investment) {
  static const std::string base = read("tests/cli/data/incubator-agri-corrected.json");
  std::string f = replaced(base, "APP-2024-0001", id);
  if (programme == "R14") return eligible ? f : replaced(f, "\"incubator_rating\": \"excellent\"", "\"incubator_rating\": \"qualified\"");
  f = replaced(f, "\"completed_investment\": 0", "\"completed_investment\": " + std::to_string(investment));
  return eligible ? replaced(f, "\"new_tech_catalogue_listed\": false", "\"new_tech_catalogue_listed\": true") : f;
}

// How often the sequences reached what the invariants are about (so the test cannot pass vacuously).
struct Coverage {
  int steps = 0, refused = 0, approvals_reserving = 0, paid_under_budget = 0, paid_without_budget = 0, allocations = 0,
      corrections = 0, late_budgets = 0;
};

struct Tracked {
  store::CaseId id = 0;
  std::string programme;
  std::optional<model::Fen> allocated;  // the case's share in the last allocation it took part in
  bool budget_at_payout = false;
};

class CaseBudgetProperty : public ::testing::TestWithParam<Kind> {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << "rules must load: " << prepared_->error;
  }

  // The (action, role) pairs the case's workflow offers at its stage, with the roles that may take
  // them; actions that move a case forward are listed more often, so sequences reach the payment.
  static std::vector<std::pair<std::string, std::string>> offered(const workflow::Workflow& wf, const workflow::CaseState& s) {
    static const std::map<std::string, int> weight = {{"submit", 8}, {"approve", 8}, {"resubmit", 8}, {"disburse", 8},
                                                      {"dismiss", 8}, {"return", 2}};
    std::vector<std::pair<std::string, std::string>> out;
    auto add = [&](const std::string& action, const std::string& role) {
      auto w = weight.find(action);
      for (int i = 0; i < (w == weight.end() ? 1 : w->second); ++i) out.emplace_back(action, role);
    };
    int si = wf.find_stage(s.stage);
    if (si < 0) return out;
    const auto& st = wf.stage(static_cast<std::uint32_t>(si));
    for (const auto& t : st.transitions) {
      const std::string& name = wf.decls().actions[t.action].name;
      if (t.by.empty() && !s.responsible.empty()) add(name, s.responsible);
      for (const auto& b : t.by) add(name, b.text);
    }
    if (st.joint != eval::JointPolicy::none)
      for (const auto& r : s.reviewers)
        if (std::none_of(s.votes.begin(), s.votes.end(), [&](const workflow::Vote& v) { return v.role == r; })) {
          add("approve", r);
          add("reject", r);
        }
    return out;
  }

  // Checks every invariant of the header; returns false (with gtest failures) when one is broken.
  static bool check(const Env& env, const std::vector<Tracked>& cases, const std::string& where) {
    bool ok = true;
    auto expect = [&](bool cond, const std::string& what) {
      if (!cond) {
        ADD_FAILURE() << where << ": " << what;
        ok = false;
      }
    };
    const auto stored = env.repo.list_cases({});
    expect(stored.size() == cases.size(), "cases stored: " + std::to_string(stored.size()));
    for (const char* prog : kProgrammes) {
      model::Fen reserved = 0, consumed = 0;
      const auto* wf = env.wfs.for_program(prog);
      for (std::size_t i = 0; i < cases.size() && i < stored.size(); ++i) {
        const auto& t = cases[i];
        if (t.programme != prog) continue;
        const auto& c = stored[i];
        expect(c.id == t.id, "case order");
        const std::string tag = "case " + std::to_string(c.id) + " (" + prog + ", " + c.stages.front() + ")";
        reserved += c.reserved_fen;
        consumed += c.consumed_fen;
        expect(c.reserved_fen >= 0 && c.consumed_fen >= 0, tag + ": negative reservation");
        const model::Fen decided = c.decision && c.decision->outcome == "eligible" ? c.decision->amount_fen : 0;
        const std::string& stage = c.stages.front();
        if (stage == "disbursed") {
          expect(c.reserved_fen == 0, tag + ": still holds " + money(c.reserved_fen));
          std::optional<store::Award> award;
          for (const auto& a : env.repo.awards_for(c.application_id))
            if (a.case_id == c.id) award = a;
          expect(award && award->amount_fen > 0, tag + ": no award");
          if (award)
            expect(c.consumed_fen == (t.budget_at_payout ? award->amount_fen : 0),
                   tag + ": consumed " + money(c.consumed_fen) + " for an award of " + money(award->amount_fen));
        } else if (is_terminal(*wf, stage)) {
          expect(c.reserved_fen == 0 && c.consumed_fen == 0, tag + ": holds " + money(c.reserved_fen) + " after it ended");
        } else {
          expect(c.consumed_fen == 0, tag + ": consumed before payment");
          expect(c.reserved_fen <= decided, tag + ": holds " + money(c.reserved_fen) + " of a decided " + money(decided));
          expect(c.reserved_fen == 0 || c.reserved_fen == decided || (t.allocated && c.reserved_fen == *t.allocated),
                 tag + ": holds " + money(c.reserved_fen) + ", neither the decided " + money(decided) + " nor its allocation");
        }
      }
      const auto b = env.repo.get_budget(prog, kYear);
      if (!b) {
        expect(reserved == 0 && consumed == 0, std::string(prog) + ": reservations without a budget");
        continue;
      }
      expect(b->reserved_fen >= 0 && b->consumed_fen >= 0 && b->reserved_fen + b->consumed_fen <= b->total_fen,
             std::string(prog) + ": reserved " + money(b->reserved_fen) + " + consumed " + money(b->consumed_fen) +
                 " exceed the total " + money(b->total_fen));
      expect(b->reserved_fen == reserved, std::string(prog) + ": the budget reserves " + money(b->reserved_fen) +
                                              " but its cases hold " + money(reserved));
      expect(b->consumed_fen == consumed, std::string(prog) + ": the budget consumed " + money(b->consumed_fen) +
                                              " but its cases " + money(consumed));
    }
    return ok;
  }

  // One random sequence; returns false after the first broken invariant.
  bool run_sequence(std::uint32_t seed, Coverage& cov) {
    std::error_code ec;
    TestDatabase db(GetParam(), std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp");
    auto repo = db.open();
    Env env{*prepared_->rules, *repo};
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    std::vector<Tracked> cases;
    model::Days date = *model::parse_date("2025-03-03");
    const model::Fen totals[] = {0, 10000000, 20000000, 30000000, 40000000, 60000000};
    const std::vector<std::string> stray_roles = {"申报单位", "市科技局", "市财政局", "专家组", "旗县区科技局[临河区]", "社会公众"};
    for (int step = 0; step < kSteps; ++step) {
      date += static_cast<model::Days>(pick(3));
      std::string what;
      try {
        const std::size_t kind = cases.empty() ? 0 : pick(16);
        if (kind < 2 && static_cast<int>(cases.size()) < kMaxCases) {  // submit
          const std::string prog = kProgrammes[pick(2)];
          const std::string id = "S" + std::to_string(seed) + "-" + std::to_string(cases.size());
          what = "submit " + id + " " + prog;
          SubmitRequest r;
          r.programme = prog;
          r.facts_json = facts_for(prog, id, pick(5) != 0, 100000 * static_cast<long long>(1 + pick(15)));
          r.date = date;
          cases.push_back({submit(env, r).id, prog, std::nullopt, false});
        } else if (kind == 2) {  // correct
          auto& t = cases[pick(cases.size())];
          const auto c = env.repo.load_case(t.id);
          what = "correct " + std::to_string(t.id);
          correct(env, {t.id, facts_for(t.programme, c.application_id, pick(4) != 0, 100000 * static_cast<long long>(1 + pick(15))),
                        "核验员", "", date});
          ++cov.corrections;
        } else if (kind == 3) {  // budget set (also late: after approvals, at disbursement)
          const std::string prog = kProgrammes[pick(2)];
          const model::Fen total = totals[pick(6)];
          what = "budget set " + prog + " " + money(total);
          const bool late = std::any_of(cases.begin(), cases.end(), [&](const Tracked& t) {
            return t.programme == prog && env.repo.load_case(t.id).stages.front() != "application";
          });
          set_budget(env, prog, kYear, total, "财政局");
          cov.late_budgets += late ? 1 : 0;
        } else if (kind == 4) {  // allocate
          const std::string prog = kProgrammes[pick(2)];
          const auto method = pick(2) ? Allocation::ranked : Allocation::pro_rata;
          what = "allocate " + prog + (method == Allocation::ranked ? " ranked" : " pro-rata");
          auto res = allocate(env, prog, kYear, method, "财务");
          ++cov.allocations;
          for (const auto& line : res.lines)
            for (auto& t : cases)
              if (t.id == line.id) t.allocated = line.allocated;
        } else {  // act, mostly on an open case: mostly what the workflow offers there, sometimes anything
          std::vector<std::size_t> open;
          const auto stored = env.repo.list_cases({});  // in id order, as `cases`
          for (std::size_t i = 0; i < stored.size(); ++i)
            if (!is_terminal(*env.wfs.for_program(cases[i].programme), stored[i].stages.front())) open.push_back(i);
          auto& t = cases[open.empty() || pick(10) == 0 ? pick(cases.size()) : open[pick(open.size())]];
          const auto c = env.repo.load_case(t.id);
          const auto* wf = env.wfs.for_program(t.programme);
          auto st = workflow::case_state_from_json(c.state_json);
          auto opts = offered(*wf, *st);
          std::pair<std::string, std::string> a;
          if (opts.empty() || pick(10) == 0)
            a = {wf->decls().actions[pick(wf->decls().actions.size())].name, stray_roles[pick(stray_roles.size())]};
          else
            a = opts[pick(opts.size())];
          what = "act " + std::to_string(t.id) + " " + a.first + " as " + a.second;
          const bool budget_now = env.repo.get_budget(t.programme, kYear).has_value();
          auto res = act(env, {t.id, a.first, a.second, "经办人", "", date});
          if (a.first == "disburse") {
            t.budget_at_payout = budget_now;
            ++(budget_now ? cov.paid_under_budget : cov.paid_without_budget);
          }
          if (a.first == "approve" && res.c.reserved_fen > c.reserved_fen) ++cov.approvals_reserving;
        }
      } catch (const ServiceError& e) {
        ++cov.refused;
        if (e.kind() != ErrorKind::refused) {
          ADD_FAILURE() << "seed " << seed << " step " << step << " " << what << ": exit " << e.code() << ": " << e.what();
          return false;
        }
      } catch (const store::BudgetExceededError&) {  // a total below what is committed: refused, nothing changes
      }
      ++cov.steps;
      if (!check(env, cases, "seed " + std::to_string(seed) + " step " + std::to_string(step) + " after " + what)) return false;
    }
    return true;
  }

  static files::PreparedFromDisk* prepared_;
};
files::PreparedFromDisk* CaseBudgetProperty::prepared_ = nullptr;

TEST_P(CaseBudgetProperty, EveryBudgetMovementIsTheCasesOwn) {
  if (const char* why = subsidy::testing::skip_reason(GetParam())) GTEST_SKIP() << why;
  const bool server = GetParam() == Kind::postgresql || GetParam() == Kind::mariadb;
  const int sequences = server ? kSequences / 20 : kSequences;  // each opens a schema (database) of its own
  Coverage cov;
  for (std::uint32_t seed = 1; seed <= static_cast<std::uint32_t>(sequences); ++seed)
    if (!run_sequence(seed, cov)) break;
  std::printf("%d steps (%d refused): %d approvals reserved, %d payments under a budget, %d without, %d allocations, "
              "%d corrections, %d late budgets\n",
              cov.steps, cov.refused, cov.approvals_reserving, cov.paid_under_budget, cov.paid_without_budget, cov.allocations,
              cov.corrections, cov.late_budgets);
  EXPECT_EQ(cov.steps, sequences * kSteps);
  if (sequences < kSequences) return;  // the same seeds give the same steps on every backend: coverage is the full runs'
  for (int n : {cov.approvals_reserving, cov.paid_under_budget, cov.paid_without_budget, cov.allocations, cov.corrections,
                cov.late_budgets})
    EXPECT_GE(n, 20) << "the sequences rarely reach some of what the invariants are about";
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return subsidy::testing::kind_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Backends, CaseBudgetProperty, ::testing::Values(Kind::memory, Kind::sqlite, Kind::postgresql, Kind::mariadb),
                         param_name);

}  // namespace
}  // namespace subsidy::service
