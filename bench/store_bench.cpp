// The case store alone (docs/benchmark.md "Case store"): N new cases with their facts and first
// events in batches, stored by the plain path (CaseRepository::create_cases_with_events:
// create_cases_batch, then append_event per case) and by the repository's own (multi-row
// statements on SQLite and PostgreSQL), each into a fresh database, alternating ROUNDS times in one
// run; then a re-run of the last batches (every case skipped). Prints cases/s and the ratio.
//   store_bench URL N [BATCH] [ROUNDS]
// URL: sqlite:/path/prefix (a file per run: prefix-<n>.db) or a PostgreSQL / MySQL URL (a schema or
// database per run is not created here: each run deletes the cases it finds first).
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "soci/connection.hpp"
#include "soci/soci_store.hpp"

using namespace subsidy;

namespace {

std::vector<store::NewCase> make_cases(std::size_t n) {
  std::vector<store::NewCase> out(n);
  const char* const counties[] = {"临河区", "五原县", "磴口县", "乌拉特前旗", "杭锦后旗"};
  for (std::size_t i = 0; i < n; ++i) {
    store::Case& c = out[i].c;
    c.application_id = "BENCH-" + std::to_string(i);
    c.programme = "R14";
    c.call_year = 2025;
    c.workflow = "评审制";
    c.workflow_version = 1;
    c.stages = {"county_review"};
    c.roles = {std::string("旗县区科技局[") + counties[i % 5] + "]"};
    c.visible_roles = {"申报单位", c.roles.front(), "市科技局"};
    c.visibility_rules = "sha256:0123456789abcdef";
    c.state_json = R"({"clock":"running","stage":"county_review","events":[]})";
    c.deadlines = {{"county_review", 20'150 + static_cast<int>(i % 20)}};
    c.decision = store::CaseDecision{"eligible", 30'000'000, "sha256:rules", 20'150,
                                     R"({"id":"BENCH","programs":[{"id":"R14","outcome":"eligible","amount_fen":30000000}],"total_fen":30000000})"};
    out[i].facts.facts_json = std::string(R"({"id":")") + c.application_id + R"(","org_type":"service_org","county":")" +
                              counties[i % 5] + R"(","industry":"agriculture","rd_expense":0,"registered_in_im":true})";
    out[i].facts.reason = store::kFactsSubmitted;
  }
  return out;
}

std::vector<store::Event> make_events(const std::vector<store::NewCase>& cases) {
  std::vector<store::Event> out(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out[i].actor = "申报单位";
    out[i].role = "申报单位";
    out[i].action = "submit";
    out[i].to_stage = "county_review";
    out[i].payload_json = R"({"applicant":")" + cases[i].c.application_id + R"(","audit":{"state":{}}})";
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: store_bench URL N [BATCH] [ROUNDS]\n");
    return 2;
  }
  const std::string base = argv[1];
  const std::size_t n = std::strtoul(argv[2], nullptr, 10);
  const std::size_t batch = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 500;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 2;
  const auto cases = make_cases(n);
  const auto events = make_events(cases);
  int run = 0;
  auto once = [&](bool plain) {
    std::string url = base;
    if (base.rfind("sqlite:", 0) == 0) {
      url = base + "-" + std::to_string(run++) + ".db";
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((url.substr(7) + suffix).c_str());
    }
    soci_store::migrate(url);
    auto repo = soci_store::open_repository(url);
    if (base.rfind("sqlite:", 0) != 0) {  // a server database: start empty
      auto c = soci_store::detail::connect(url, {});
      *c.sql << "DELETE FROM events";
      *c.sql << "DELETE FROM facts_versions";
      *c.sql << "DELETE FROM cases";
    }
    auto store_all = [&] {
      std::size_t created = 0;
      for (std::size_t from = 0; from < n; from += batch) {
        const std::size_t m = std::min(batch, n - from);
        std::span<const store::NewCase> cs(cases.data() + from, m);
        std::span<const store::Event> es(events.data() + from, m);
        const auto r = plain ? repo->store::CaseRepository::create_cases_with_events(cs, es) : repo->create_cases_with_events(cs, es);
        for (const auto& x : r) created += x.created ? 1 : 0;
      }
      return created;
    };
    auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const std::size_t created = store_all();
    const double s = seconds_since(t0);
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    t0 = std::chrono::steady_clock::now();
    const std::size_t again = store_all();
    const double s2 = seconds_since(t0);
    std::printf("%-6s %zu created in %.2f s = %8.0f cases/s (this process's CPU %.2f s = %8.0f cases per CPU second); "
                "re-run %zu created, %zu skipped in %.2f s = %8.0f cases/s\n",
                plain ? "plain" : "multi", created, s, static_cast<double>(n) / s, cpu, static_cast<double>(n) / cpu, again,
                n - again, s2, static_cast<double>(n) / s2);
    if (base.rfind("sqlite:", 0) == 0)
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((url.substr(7) + suffix).c_str());
    return s;
  };
  double plain = 0, multi = 0;
  for (int r = 0; r < rounds; ++r) {
    plain += once(true);
    multi += once(false);
  }
  std::printf("multi-row / plain: %.1fx (%d rounds, batches of %zu)\n", plain / multi, rounds, batch);
  return 0;
}
