// Once warm, decoding a record and encoding its decision allocate nothing (the batch hot path).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "json/decision_encoder.hpp"
#include "json/fact_decoder.hpp"
#include "model/date.hpp"
#include "test_ruleset.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define SUBSIDY_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SUBSIDY_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef SUBSIDY_COUNT_ALLOCATIONS
#define SUBSIDY_COUNT_ALLOCATIONS 1
#endif

#if SUBSIDY_COUNT_ALLOCATIONS
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // our new and delete do pair malloc/free
#endif
namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace subsidy::json {
namespace {

TEST(Allocation, WarmDecodeAndEncodeDoNotAllocate) {
#if !SUBSIDY_COUNT_ALLOCATIONS
  GTEST_SKIP() << "allocation counting is disabled under AddressSanitizer";
#else
  eval::Ruleset rs = testing::make_ruleset();
  FactDecoder dec(rs);
  DecisionEncoder enc(rs);
  model::Facts facts;
  DecodeError err;
  std::string id, out;
  const std::string records[] = {
      R"({"id":"A1","org_type":"enterprise","registered":true,"employees":120,"rd_expense":"1000000.50",)"
      R"("rd_ratio":"12.5%","founded":"2015-03-01","name":"北方稀土高新技术有限公司","prior_awards":["R03","高企认定奖励"],)"
      R"("partners":["university"],"note":null})",
      R"({"id":"A2","org_type":"institute","registered":false,"employees":3,"rd_expense":5,)"
      R"("rd_ratio":0.05,"founded":"2020-02-29","name":"x","prior_awards":[],"partners":[],"cert_date":"2021-01-01"})",
  };
  model::Decision d;
  d.programs.resize(3);
  d.programs[0] = model::ProgramResult{.outcome = model::Outcome::eligible, .amount = 1234567};
  d.programs[1] = model::ProgramResult{.outcome = model::Outcome::refused, .failed = 0b11};
  d.programs[2] = model::ProgramResult{.outcome = model::Outcome::refused, .limited_by = 0};
  model::Days as_of = *model::parse_date("2022-06-01");
  for (int warm = 0; warm < 3; ++warm)
    for (const auto& r : records) {
      ASSERT_TRUE(dec.decode(r, facts, err, id)) << err.message;
      out.clear();
      enc.append_json(out, id, d, as_of, nullptr, false, nullptr);
    }
  long before = g_allocations.load();
  for (int i = 0; i < 100; ++i)
    for (const auto& r : records) {
      dec.decode(r, facts, err, id);
      out.clear();
      enc.append_json(out, id, d, as_of, nullptr, false, nullptr);
    }
  EXPECT_EQ(g_allocations.load() - before, 0);
#endif
}

}  // namespace
}  // namespace subsidy::json
