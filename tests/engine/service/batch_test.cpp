// The streaming batch (service/batch.hpp) over in-memory sources and sinks: the same decisions in
// input order whatever the number of workers and the block size, and read/write failures reported.
#include "service/batch.hpp"

#include <gtest/gtest.h>

#include "engine/service/source_file.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include "files/rules_dir.hpp"
#include "json/codec.hpp"
#include "model/date.hpp"
#include "support/random_records.hpp"

namespace subsidy::service {
namespace {

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string text, std::size_t fail_after = std::string::npos) : text_(std::move(text)), fail_after_(fail_after) {}
  std::size_t read(char* buf, std::size_t n) override {
    std::size_t end = std::min(text_.size(), fail_after_);
    std::size_t got = std::min(n, end - std::min(end, pos_));
    std::memcpy(buf, text_.data() + pos_, got);
    pos_ += got;
    if (got < n && pos_ >= fail_after_) error_ = "device unplugged";
    return got;
  }
  std::string error() const override { return error_; }

 private:
  std::string text_;
  std::size_t fail_after_, pos_ = 0;
  std::string error_;
};

class StringSink final : public ByteSink {
 public:
  explicit StringSink(bool fail = false) : fail_(fail) {}
  bool write(std::string_view bytes) override {
    if (fail_) return false;
    out += bytes;
    return true;
  }
  std::string error() const override { return fail_ ? "disk full" : ""; }
  std::string out;

 private:
  bool fail_;
};

using testing_files::read;

const files::LoadedRules& rules() {
  static auto* lr = files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/rules").release();
  return *lr;
}

BatchResult run(const std::string& input, unsigned jobs, std::size_t block, StringSink& sink) {
  BatchOptions o;
  o.jobs = jobs;
  o.block_bytes = block;
  o.as_of = *model::parse_date("2024-06-28");
  StringSource src(input);
  return run_batch(*rules().ruleset, json::codec(), o, src, sink);
}

TEST(Batch, SameDecisionsInInputOrderForAnyWorkersAndBlockSize) {
  ASSERT_TRUE(rules().ruleset);
  std::string input = read("examples/batch.jsonl");
  input += "{\"id\":\"BAD\",\"employees\":\"many\"}\n";  // an undecodable record among them
  input += read("examples/batch.jsonl");
  StringSink one;
  const auto r1 = run(input, 1, 1 << 18, one);
  EXPECT_EQ(r1.failed, 1u);
  EXPECT_EQ(static_cast<std::size_t>(std::count(one.out.begin(), one.out.end(), '\n')), r1.records);
  for (unsigned jobs : {2u, 3u})
    for (std::size_t block : {std::size_t{256}, std::size_t{4096}}) {
      StringSink many;
      const auto r = run(input, jobs, block, many);
      EXPECT_EQ(many.out, one.out) << jobs << " workers, blocks of " << block;
      EXPECT_EQ(r.records, r1.records);
      EXPECT_EQ(r.first_failed_line, r1.first_failed_line);
    }
}

TEST(Batch, ReadAndWriteFailuresAreReported) {
  const std::string input = read("examples/batch.jsonl");
  BatchOptions o;
  o.as_of = *model::parse_date("2024-06-28");
  StringSource cut(input, input.size() / 2);
  StringSink sink;
  auto r = run_batch(*rules().ruleset, json::codec(), o, cut, sink);
  EXPECT_NE(r.io_error.find("device unplugged"), std::string::npos) << r.io_error;
  StringSource whole(input);
  StringSink full(true);
  r = run_batch(*rules().ruleset, json::codec(), o, whole, full);
  EXPECT_NE(r.io_error.find("disk full"), std::string::npos) << r.io_error;
}

// The decoder's fast path changes no byte of a batch's output: seeded random feeds (support/
// random_records.hpp: mostly valid records in a feed's order, and every kind of bad record) through
// the workload rules and the shipped rules, 1 and 2 workers, with the fast path on and off.
TEST(Batch, FastDecodePathChangesNoOutputByte) {
  const auto workload = files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/bench/rules");
  ASSERT_TRUE(workload->ruleset);
  ASSERT_TRUE(rules().ruleset);
  for (const eval::Ruleset* rs : {workload->ruleset.get(), rules().ruleset.get()})
    for (std::uint64_t seed : {42u, 20261202u}) {
      std::mt19937_64 rng(seed);
      subsidy::testing::RecordGen gen(*rs);
      std::string input;
      for (int feed = 0; feed < 6; ++feed) {
        gen.new_feed(rng);
        for (int i = 0; i < 400; ++i) input += gen(rng, feed % 2 ? 30 : 5, feed % 2 ? 20 : 2) + "\n";
      }
      for (unsigned jobs : {1u, 2u}) {
        BatchOptions o;
        o.jobs = jobs;
        o.block_bytes = 4096;
        o.as_of = *model::parse_date("2021-06-30");
        StringSource a(input), b(input);
        StringSink fast, strict;
        const auto rf = run_batch(*rs, json::codec({.fast_decode = true}), o, a, fast);
        const auto rs_ = run_batch(*rs, json::codec({.fast_decode = false}), o, b, strict);
        EXPECT_EQ(fast.out, strict.out) << "seed " << seed << ", " << jobs << " workers";
        EXPECT_EQ(rf.records, rs_.records);
        EXPECT_EQ(rf.failed, rs_.failed);
        EXPECT_GT(rf.records - rf.failed, rf.records / 5);  // decisions too, not only error records
      }
    }
}

}  // namespace
}  // namespace subsidy::service
