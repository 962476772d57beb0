#include "store/event.hpp"

#include <gtest/gtest.h>

namespace subsidy::store {
namespace {

Event sample() {
  Event e;
  e.case_id = 7;
  e.seq = 1;
  e.actor = "王科长";
  e.role = "county_bureau";
  e.action = "approve";
  e.from_stage = "county_review";
  e.to_stage = "city_review";
  e.note = "材料齐全";
  e.at = "2024-05-01T08:30:00Z";
  e.payload_json = R"({"amount":100000})";
  e.prev_hash = kGenesisHash;
  return e;
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// GB/T 32905-2016 appendix A, examples 1 and 2.
TEST(Sm3, KnownVectors) {
  EXPECT_EQ(digest_hex("abc", HashAlgorithm::sm3), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string abcd;
  for (int i = 0; i < 16; ++i) abcd += "abcd";
  EXPECT_EQ(digest_hex(abcd, HashAlgorithm::sm3), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  EXPECT_EQ(digest_hex("abc", HashAlgorithm::sha256), sha256_hex("abc"));
}

TEST(HashAlgorithm, NamesRoundTrip) {
  for (auto a : {HashAlgorithm::sha256, HashAlgorithm::sm3}) EXPECT_EQ(parse_hash_algorithm(hash_algorithm_name(a)), a);
  EXPECT_FALSE(parse_hash_algorithm("SM3"));
  EXPECT_FALSE(parse_hash_algorithm("md5"));
  EXPECT_FALSE(parse_hash_algorithm(""));
}

TEST(EventHash, Sm3IsTheSm3OfTheSameCanonicalForm) {
  const Event e = sample();
  EXPECT_EQ(event_hash(e, HashAlgorithm::sm3), digest_hex(canonical_event(e), HashAlgorithm::sm3));
  EXPECT_EQ(event_hash(e, HashAlgorithm::sm3).size(), 64u);
  EXPECT_NE(event_hash(e, HashAlgorithm::sm3), event_hash(e));
  EXPECT_EQ(event_hash(e, HashAlgorithm::sha256), event_hash(e));  // the default stays SHA-256
}

TEST(EventHash, IsHexSha256OfTheCanonicalForm) {
  const Event e = sample();
  const std::string h = event_hash(e);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, sha256_hex(canonical_event(e)));
  EXPECT_EQ(std::string(kGenesisHash), std::string(64, '0'));
}

TEST(EventHash, CanonicalFormIsLengthPrefixedAndExcludesTheHash) {
  Event e = sample();
  const std::string c = canonical_event(e);
  EXPECT_EQ(c.rfind("subsidy.event.v1\n", 0), 0u);
  EXPECT_NE(c.find("note:12:材料齐全\n"), std::string::npos);  // 4 CJK characters = 12 bytes
  e.hash = "anything";
  EXPECT_EQ(canonical_event(e), c);
}

TEST(EventHash, EveryFieldCounts) {
  const std::string base = event_hash(sample());
  auto changed = [&](auto mutate) {
    Event e = sample();
    mutate(e);
    return event_hash(e) != base;
  };
  EXPECT_TRUE(changed([](Event& e) { e.case_id = 8; }));
  EXPECT_TRUE(changed([](Event& e) { e.seq = 2; }));
  EXPECT_TRUE(changed([](Event& e) { e.actor += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.role += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.action += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.from_stage += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.to_stage += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.note += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.at += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.payload_json += " "; }));
  EXPECT_TRUE(changed([](Event& e) { e.prev_hash[0] = '1'; }));
}

TEST(EventHash, FieldBoundariesAreUnambiguous) {
  Event a = sample(), b = sample();
  a.actor = "ab";
  a.role = "c";
  b.actor = "a";
  b.role = "bc";
  EXPECT_NE(event_hash(a), event_hash(b));
}

}  // namespace
}  // namespace subsidy::store
