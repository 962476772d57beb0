// Evaluation-only cost of `evaluate()` per applicant, on facts decoded beforehand. The *Plain
// benchmarks run `evaluate_plain()` (the node interpreter, without the compiled form) on the same
// facts, for the comparison in docs/benchmark.md ("Evaluation only").
//   eval_bench [--benchmark_*]            workload rules on $SUBSIDY_BENCH_APPS (JSONL, default
//                                          /tmp/subsidy-bench/apps-100k.jsonl) and shipped rules on examples/
#include <benchmark/benchmark.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "files/rules_dir.hpp"
#include "eval/evaluate.hpp"
#include "json/fact_decoder.hpp"
#include "model/date.hpp"

namespace {

struct Loaded {
  std::unique_ptr<subsidy::files::LoadedRules> rules;
  std::vector<subsidy::model::Facts> facts;
};

Loaded load(const std::string& rules_dir, const std::string& apps, std::size_t limit) {
  Loaded l;
  l.rules = subsidy::files::load_rules(rules_dir);
  if (!l.rules->ruleset) {
    std::fprintf(stderr, "cannot load %s\n", rules_dir.c_str());
    std::exit(1);
  }
  subsidy::json::FactDecoder dec(*l.rules->ruleset);
  std::ifstream in(apps);
  std::string line, id;
  subsidy::json::DecodeError err;
  while (l.facts.size() < limit && std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    subsidy::model::Facts f;
    if (dec.decode(line, f, err, id)) l.facts.push_back(std::move(f));
  }
  if (l.facts.empty()) {
    std::fprintf(stderr, "no applicants decoded from %s\n", apps.c_str());
    std::exit(1);
  }
  return l;
}

void run(benchmark::State& state, const Loaded& l, const char* date, bool compiled = true) {
  const auto& rs = *l.rules->ruleset;
  auto as_of = *subsidy::model::parse_date(date);
  subsidy::model::Decision d;
  std::size_t i = 0;
  std::int64_t guard = 0;
  for (auto _ : state) {
    if (compiled)
      subsidy::eval::evaluate(rs, l.facts[i], as_of, d);
    else
      subsidy::eval::evaluate_plain(rs, l.facts[i], as_of, d);
    guard += d.total;
    if (++i == l.facts.size()) i = 0;
  }
  benchmark::DoNotOptimize(guard);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// In `subsidy evaluate` a record's facts are decoded immediately before evaluation, so they are in
// cache. BM_Workload cycles over 1,024 applicants (their facts stay cache-resident, as in the
// pipeline); BM_WorkloadColdFacts cycles over 100,000, so each applicant's facts come from memory.
const Loaded& workload() {
  static const char* env = std::getenv("SUBSIDY_BENCH_APPS");
  static Loaded l = load(std::string(SUBSIDY_SOURCE_DIR) + "/bench/rules", env ? env : "/tmp/subsidy-bench/apps-100k.jsonl", 100000);
  return l;
}

const Loaded& hot_workload() {
  static Loaded hot = [] {
    Loaded l;
    l.rules = subsidy::files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/bench/rules");
    const auto& all = workload().facts;
    l.facts.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(1024, all.size())));
    return l;
  }();
  return hot;
}

void BM_Workload(benchmark::State& state) { run(state, hot_workload(), "2021-06-30"); }
BENCHMARK(BM_Workload);

void BM_WorkloadPlain(benchmark::State& state) { run(state, hot_workload(), "2021-06-30", false); }
BENCHMARK(BM_WorkloadPlain);

void BM_WorkloadColdFacts(benchmark::State& state) { run(state, workload(), "2021-06-30"); }
BENCHMARK(BM_WorkloadColdFacts);

const Loaded& shipped() {
  static Loaded l = load(std::string(SUBSIDY_SOURCE_DIR) + "/rules", std::string(SUBSIDY_SOURCE_DIR) + "/examples/batch.jsonl", 1000);
  return l;
}

void BM_ShippedRules(benchmark::State& state) { run(state, shipped(), "2022-06-30"); }
BENCHMARK(BM_ShippedRules);

void BM_ShippedRulesPlain(benchmark::State& state) { run(state, shipped(), "2022-06-30", false); }
BENCHMARK(BM_ShippedRulesPlain);

}  // namespace

BENCHMARK_MAIN();
