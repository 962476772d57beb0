// The visibility stored with each case (store::Case::visible_roles, migration 007): on random cases
// — counties, the agricultural high-tech zone, industries, steps taken — a county officer's and a
// sector bureau's list through find_cases is what resolving every case's roles gives (the
// computation before 007), on the in-memory repository, SQLite, and PostgreSQL / MariaDB when set;
// cases stored without it (before 007, or under other rules) are resolved when read.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "adapters/soci/test_database.hpp"
#include "engine/service/incubator_case.hpp"
#include "engine/service/source_file.hpp"
#include "files/rules_dir.hpp"
#include "service/queries.hpp"

namespace subsidy::service {
namespace {

using testing_cases::holding;
using testing_cases::incubator_facts;

using subsidy::testing::Kind;
using subsidy::testing::TestDatabase;

const char* const kCounties[] = {"临河区", "五原县", "磴口县", "乌拉特前旗", "杭锦后旗"};
const char* const kIndustries[] = {"agriculture", "livestock", "forestry", "water", "manufacturing", "other"};

// The ids of the cases `who` sees as resolved per case, without the stored visibility.
std::vector<store::CaseId> resolved_ids(const Env& env, const Principal& who, model::Days day) {
  std::vector<store::CaseId> out;
  for (const auto& c : env.repo.list_cases({})) {
    const auto roles = resolve_case_roles(env, c, day);
    if (std::any_of(who.roles.begin(), who.roles.end(), [&](const std::string& r) {
          return std::find(roles.begin(), roles.end(), r) != roles.end();
        }))
      out.push_back(c.id);
  }
  return out;
}

std::vector<store::CaseId> listed_ids(const Env& env, const Principal& who, model::Days day) {
  std::vector<store::CaseId> out;
  for (const auto& c : find_cases(env, CaseQuery{}, who, day).cases) out.push_back(c.id);
  return out;
}

class StoredVisibility : public ::testing::TestWithParam<Kind> {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << prepared_->error;
  }
  static files::PreparedFromDisk* prepared_;
};
files::PreparedFromDisk* StoredVisibility::prepared_ = nullptr;

TEST_P(StoredVisibility, ListsAreWhatResolvingEveryCaseGives) {
  if (const char* why = subsidy::testing::skip_reason(GetParam())) GTEST_SKIP() << why;
  std::error_code ec;
  TestDatabase db(GetParam(), std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp");
  auto repo = db.open();
  Env env{*prepared_->rules, *repo};
  const model::Days day = *model::parse_date("2025-03-03");
  std::mt19937 rng(20251202);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const int kCases = GetParam() == Kind::memory || GetParam() == Kind::sqlite ? 60 : 24;
  for (int i = 0; i < kCases; ++i) {
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = incubator_facts("APP-SV-" + std::to_string(i), kCounties[pick(std::size(kCounties))], pick(4) == 0,
                         kIndustries[pick(std::size(kIndustries))]);
    r.date = day;
    const auto c = submit(env, r).c;
    EXPECT_EQ(c.visibility_rules, prepared_->rules->hash()) << "stored at submit";
    const auto steps = pick(3);  // stay in application, or submit, or submit and the county's approval
    if (steps >= 1) act(env, {c.id, "submit", "申报单位", "A", "", day});
    if (steps >= 2) {
      const auto now = repo->load_case(c.id);
      if (!now.roles.empty()) act(env, {c.id, "approve", now.roles.front(), "W", "", day});
    }
  }
  std::vector<Principal> who;
  for (const char* county : kCounties) who.push_back(holding({std::string("旗县区科技局[") + county + "]"}));
  for (const char* r : {"农高区管委会", "市农牧局", "市林草局", "市水利局", "市工信局", "申报单位"}) who.push_back(holding({r}));
  who.push_back(holding({"旗县区科技局[五原县]", "市林草局"}));
  for (const auto& p : who) {
    const auto want = resolved_ids(env, p, day);
    EXPECT_EQ(listed_ids(env, p, day), want) << p.roles.front();
    for (const auto& c : repo->list_cases({}))
      EXPECT_EQ(visible_to(env, c, p, day), std::find(want.begin(), want.end(), c.id) != want.end()) << c.id << " " << p.roles.front();
  }
  // Some county sees some but not all cases (the random cases cover both).
  const auto linhe = resolved_ids(env, who.front(), day);
  EXPECT_GT(linhe.size(), 0u);
  EXPECT_LT(linhe.size(), static_cast<std::size_t>(kCases));

  // Cases stored before migration 007 (no visibility) or under other rules are resolved when read.
  int n = 0;
  for (auto c : repo->list_cases({})) {
    c.visible_roles.clear();
    c.visibility_rules = n++ % 2 ? "" : "0123-other-rules";
    repo->update_case(c, c.version);
  }
  for (const auto& p : who) EXPECT_EQ(listed_ids(env, p, day), resolved_ids(env, p, day)) << "stale: " << p.roles.front();
}

// Sorted, paged lists and their counts per stage (selected, ordered and counted in SQL) are what
// resolving every case's roles, then sorting and counting them, gives — with some cases stale
// (resolved with other rules or not at all, so resolved when read) and a county filter.
TEST_P(StoredVisibility, SortedPagesAndCountsAreWhatResolvingEveryCaseGives) {
  if (const char* why = subsidy::testing::skip_reason(GetParam())) GTEST_SKIP() << why;
  std::error_code ec;
  TestDatabase db(GetParam(), std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp");
  auto repo = db.open();
  Env env{*prepared_->rules, *repo};
  model::Days day = *model::parse_date("2025-03-03");
  std::mt19937 rng(20261202);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const int kCases = GetParam() == Kind::memory || GetParam() == Kind::sqlite ? 48 : 20;
  for (int i = 0; i < kCases; ++i) {
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = incubator_facts("APP-SP-" + std::to_string(i), kCounties[pick(std::size(kCounties))], pick(4) == 0,
                                   kIndustries[pick(std::size(kIndustries))]);
    r.date = day + static_cast<int>(pick(3));  // due dates on several days, with ties
    const auto c = submit(env, r).c;
    if (pick(3) != 0) act(env, {c.id, "submit", "申报单位", "A", "", r.date});
  }
  int n = 0;
  for (auto c : repo->list_cases({})) {  // every third case stale
    if (n++ % 3) continue;
    c.visible_roles.clear();
    c.visibility_rules = n % 2 ? "" : "0123-other-rules";
    repo->update_case(c, c.version);
  }
  day += 5;
  std::vector<Principal> who;
  for (const char* county : {"临河区", "五原县"}) who.push_back(holding({std::string("旗县区科技局[") + county + "]"}));
  who.push_back(holding({"市农牧局", "申报单位"}));
  who.push_back(holding({std::string(kAdminRole)}));
  for (const auto& p : who)
    for (const char* county : {"", "临河区"}) {
      std::vector<store::Case> want;
      std::map<std::string, std::size_t> want_counts;
      for (const auto& c : repo->list_cases({})) {
        if (c.closed) continue;
        const auto roles = resolve_case_roles(env, c, day);
        const bool sees = p.roles.front() == kAdminRole || std::any_of(p.roles.begin(), p.roles.end(), [&](const std::string& r) {
                            return std::find(roles.begin(), roles.end(), r) != roles.end();
                          });
        if (!sees || (*county && !store::names_family_member(roles, county))) continue;
        want.push_back(c);
        for (const auto& st : c.stages) ++want_counts[st];
      }
      for (auto order : {store::CaseOrder::id, store::CaseOrder::due, store::CaseOrder::amount})
        for (bool descending : {false, true}) {
          auto position = [&](const store::Case& c) { return std::pair(store::order_key(c, order), c.id); };
          std::sort(want.begin(), want.end(), [&](const auto& a, const auto& b) {
            return descending ? position(a) > position(b) : position(a) < position(b);
          });
          std::vector<store::CaseId> want_ids, got;
          for (const auto& c : want) want_ids.push_back(c.id);
          CaseQuery q;
          q.county = county;
          q.filter.order = order;
          q.filter.descending = descending;
          q.filter.limit = 4;
          for (int pages = 0; pages < 40; ++pages) {
            const auto page = find_cases(env, q, p, day);
            EXPECT_EQ(page.counts, (std::vector<std::pair<std::string, std::size_t>>(want_counts.begin(), want_counts.end())))
                << p.roles.front() << " " << county;
            for (const auto& c : page.cases) got.push_back(c.id);
            if (!page.next) break;
            q.filter.after = *page.next;
          }
          EXPECT_EQ(got, want_ids) << p.roles.front() << " county `" << county << "` order " << static_cast<int>(order)
                                   << (descending ? " desc" : " asc");
        }
    }
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return subsidy::testing::kind_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Backends, StoredVisibility, ::testing::Values(Kind::memory, Kind::sqlite, Kind::postgresql, Kind::mariadb),
                         param_name);

}  // namespace
}  // namespace subsidy::service
