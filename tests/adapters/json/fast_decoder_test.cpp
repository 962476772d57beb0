// The decoder's fast path (json/fast_decoder.hpp) against the strict path, on seeded random records
// (support/random_records.hpp): with the fast path on, every record decodes to the same Facts, id
// and error (code, field, message, offset) as with it off — valid records in the learned order and
// in others, missing, extra and duplicate keys, wrong types, escapes, numbers at the limits,
// truncated lines, invalid UTF-8 — and the fast path takes a good share of the clean records.
#include "json/fact_decoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "support/random_records.hpp"
#include "test_ruleset.hpp"

namespace subsidy::json {
namespace {

std::string dump(const model::Facts& f) {
  std::string s;
  for (std::size_t i = 0; i < f.values.size(); ++i) {
    s += std::to_string(i) + ":" + (f.present[i] ? "P" : "-") + std::to_string(f.values[i]) + "/" +
         std::to_string(f.enum_sets[i]) + "/" + f.texts[i] + "/[";
    for (const auto& e : f.sets[i]) s += e + ",";
    s += "] ";
  }
  return s;
}

struct Tally {
  std::size_t records = 0, ok = 0, fast = 0;
};

// Decodes `feeds` feeds of `per_feed` records each with the fast path on and off (a fresh pair of
// decoders per feed, reused across its records as a batch worker does) and compares every result.
void differential(const eval::Ruleset& rs, std::uint64_t seed, int feeds, int per_feed, Tally& t) {
  std::mt19937_64 rng(seed);
  subsidy::testing::RecordGen gen(rs);
  for (int feed = 0; feed < feeds; ++feed) {
    gen.new_feed(rng);
    const bool clean = feed % 2 == 0;
    FactDecoder fast(rs, {}, true), strict(rs, {}, false);
    model::Facts ff, fs;
    DecodeError ef, es;
    std::string idf, ids;
    for (int i = 0; i < per_feed; ++i) {
      std::string rec = clean ? gen(rng, 8, 3) : gen(rng, 40, 30);
      // In place (padding readable after the record, as run_batch passes it) or copied.
      const bool in_place = rng() % 2;
      std::string padded = rec + std::string(FactDecoder::kPadding, rng() % 2 ? ' ' : '}');
      std::string_view text(padded.data(), rec.size());
      const std::size_t after = in_place ? FactDecoder::kPadding : 0;
      const bool okf = fast.decode(text, after, ff, ef, idf);
      const bool oks = strict.decode(text, after, fs, es, ids);
      ++t.records;
      ASSERT_EQ(okf, oks) << rec << "\n strict: " << es.code << " " << es.message;
      ASSERT_EQ(idf, ids) << rec;
      if (oks) {
        ++t.ok;
        ASSERT_EQ(dump(ff), dump(fs)) << rec;
      } else {
        ASSERT_EQ(ef.code, es.code) << rec;
        ASSERT_EQ(ef.field, es.field) << rec;
        ASSERT_EQ(ef.message, es.message) << rec;
        ASSERT_EQ(ef.offset, es.offset) << rec;
      }
    }
    t.fast += fast.fast_hits();
    EXPECT_EQ(strict.fast_hits(), 0u);
  }
}

// The adapter tests' ruleset (every kind of fact), with its sets required as the shipped rules require
// prior awards.
TEST(FastDecoder, SameFactsAndErrorsAsTheStrictPath) {
  const eval::Ruleset rs = testing::make_ruleset();
  for (std::uint64_t seed : {42u, 7u, 2026u}) {
    Tally t;
    differential(rs, seed, 40, 250, t);
    if (HasFatalFailure()) return;
    EXPECT_GT(t.ok, t.records / 4) << "seed " << seed;
    EXPECT_GT(t.fast, t.ok / 3) << "seed " << seed << ": the fast path took too few records to be tested";
    EXPECT_LT(t.fast, t.ok + 1);
  }
}

// Learning: the first record teaches the order; a record in another order is still decoded by the
// fast path (its keys looked up by name) and teaches its own order.
TEST(FastDecoder, LearnsTheKeyOrderAndRelearnsItAfterAChange) {
  const eval::Ruleset rs = testing::make_ruleset();
  FactDecoder dec(rs);
  model::Facts f;
  DecodeError err;
  std::string id;
  const std::string a =
      R"({"id":"A1","org_type":"enterprise","registered":true,"employees":120,"rd_expense":1000000,"rd_ratio":0.05,)"
      R"("founded":"2015-03-01","name":"北方稀土","prior_awards":[],"partners":["university","institute"]})";
  const std::string b =
      R"({"registered":false,"id":"B1","org_type":"university","employees":3,"rd_expense":"12.34","rd_ratio":"12.5%",)"
      R"("founded":"2020-02-29","name":"x","prior_awards":[],"partners":[]})";
  ASSERT_TRUE(dec.decode(a, f, err, id)) << err.message;
  EXPECT_EQ(dec.fast_hits(), 1u);
  ASSERT_TRUE(dec.decode(a, f, err, id));
  EXPECT_EQ(dec.fast_hits(), 2u);
  EXPECT_EQ(id, "A1");
  EXPECT_EQ(f.values[3], 100000000);
  EXPECT_EQ(f.enum_sets[9], 0b110u);
  ASSERT_TRUE(dec.decode(b, f, err, id)) << err.message;  // another order
  EXPECT_EQ(dec.fast_hits(), 3u);
  ASSERT_TRUE(dec.decode(b, f, err, id));
  EXPECT_EQ(dec.fast_hits(), 4u);
  EXPECT_EQ(f.values[3], 1234);
  EXPECT_EQ(f.values[4], 125000);
  EXPECT_EQ(f.present[9], 1);
  EXPECT_EQ(f.enum_sets[9], 0u);
  // An error in the learnt order is the strict path's, byte for byte.
  std::string bad = b;
  bad.replace(bad.find("\"x\""), 3, "7");
  EXPECT_FALSE(dec.decode(bad, f, err, id));
  EXPECT_EQ(err.code, "wrong_type");
  EXPECT_EQ(err.field, "name");
  EXPECT_EQ(err.message, "expected string, got number 7");
  EXPECT_EQ(id, "B1");
}

}  // namespace
}  // namespace subsidy::json
