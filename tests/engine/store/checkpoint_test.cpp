#include "store/checkpoint.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace subsidy::store {
namespace {

using Kind = CheckpointEntry::Kind;

const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c');

std::vector<CheckpointEntry> three() {
  return {{Kind::case_chain, "1", {7, kA}}, {Kind::case_chain, "2", {3, kB}}, {Kind::budget, "R14/2024", {2, kC}}};
}

// The known answers were computed apart from this code (Python hashlib, sha256 and sm3):
// leaf = H(0x00 ‖ "case 1 7 aaa…"), node = H(0x01 ‖ left ‖ right), an odd last node carried up.
TEST(MerkleRoot, KnownAnswersSha256) {
  auto e = three();
  EXPECT_EQ(merkle_root({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(merkle_root({e[0]}), "c9d7857ad452dd1974942430b3ec7b58ed5a88bd28f28964c073174dfeb7a75c");
  EXPECT_EQ(merkle_root({e[0], e[1]}), "c61c1aa65323a1aedeab06bc3561f4b21789941754dc9895a564ea7b5cec44dd");
  EXPECT_EQ(merkle_root(e), "8713cb67d7c9edd554c187b635b346e701e238b6bde4c32dbedd6beddd7def96");
}

TEST(MerkleRoot, KnownAnswersSm3) {
  auto e = three();
  const auto sm3 = HashAlgorithm::sm3;
  EXPECT_EQ(merkle_root({}, sm3), "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
  EXPECT_EQ(merkle_root({e[0]}, sm3), "8be4fc68b2627044e856ae5eb4c67d21ac69a947c44b55fabcf6b4e15a69d217");
  EXPECT_EQ(merkle_root({e[0], e[1]}, sm3), "d35159631eac8c5d24af391f151cc632a96e90fdeb9d8c64b6e10945f83af677");
  EXPECT_EQ(merkle_root(e, sm3), "8d0bee2be4e4fbeb7bb35d6442ee4f80deaf86e089c0e619a7992823bdc3c1fc");
}

TEST(MerkleRoot, EveryFieldAndTheOrderCount) {
  const std::string base = merkle_root(three());
  auto e = three();
  e[1].head.count = 4;
  EXPECT_NE(merkle_root(e), base);
  e = three();
  e[2].head.hash = kA;
  EXPECT_NE(merkle_root(e), base);
  e = three();
  e[0].key = "9";
  EXPECT_NE(merkle_root(e), base);
  e = three();
  std::swap(e[0], e[1]);
  EXPECT_NE(merkle_root(e), base);
  e = three();
  e[2].kind = Kind::case_chain;
  EXPECT_NE(merkle_root(e), base);
}

struct Keys {
  KeyPair one = generate_ed25519(), two = generate_ed25519();
};
const Keys& keys() {
  static const Keys k;
  return k;
}

Checkpoint signed_checkpoint(HashAlgorithm hash = HashAlgorithm::sha256, std::string previous = kGenesisHash) {
  Checkpoint c;
  c.created_at = "2026-12-02T05:00:00Z";
  c.cases = 2;
  c.budgets = 1;
  c.hash = hash;
  c.previous = std::move(previous);
  c.entries = three();
  sign_checkpoint(c, keys().one.private_pem);
  return c;
}

bool verifies(const Checkpoint& c, std::string* why = nullptr, const std::string& pub = keys().one.public_pem) {
  return verify_checkpoint(c, pub, why);
}

TEST(Checkpoint, SignedVerifiesAndRoundTripsThroughText) {
  for (auto hash : {HashAlgorithm::sha256, HashAlgorithm::sm3}) {
    const Checkpoint c = signed_checkpoint(hash);
    EXPECT_EQ(c.root, merkle_root(c.entries, hash));
    EXPECT_EQ(c.signature.size(), 128u);
    EXPECT_EQ(c.key_id.size(), 64u);
    std::string why;
    EXPECT_TRUE(verifies(c, &why)) << why;
    const Checkpoint back = parse_checkpoint(to_text(c));
    EXPECT_EQ(back.hash, hash);
    EXPECT_EQ(back.entries, c.entries);
    EXPECT_EQ(to_text(back), to_text(c));
    EXPECT_TRUE(verifies(back, &why)) << why;
    EXPECT_EQ(checkpoint_hash(back), checkpoint_hash(c));
  }
}

TEST(Checkpoint, Sha256TextIsTheV1FormAndSm3NamesItsHash) {
  const std::string sha = to_text(signed_checkpoint(), true);
  EXPECT_EQ(sha.find("hash:"), std::string::npos);  // checkpoints written before SM3 read and verify unchanged
  EXPECT_EQ(sha.rfind("subsidy.checkpoint.v1\ncreated_at: 2026-12-02T05:00:00Z\ncases: 2\nbudgets: 1\nprevious: ", 0), 0u);
  const std::string sm3 = to_text(signed_checkpoint(HashAlgorithm::sm3), true);
  EXPECT_NE(sm3.find("\nbudgets: 1\nhash: sm3\nprevious: "), std::string::npos);
}

TEST(Checkpoint, RefusesAnotherKey) {
  std::string why;
  EXPECT_FALSE(verifies(signed_checkpoint(), &why, keys().two.public_pem));
  EXPECT_NE(why.find("another key"), std::string::npos) << why;
  // Signed with the other key but claiming the first key's id: the signature does not verify.
  Checkpoint c = signed_checkpoint();
  Checkpoint other = c;
  sign_checkpoint(other, keys().two.private_pem);
  other.key_id = c.key_id;
  EXPECT_FALSE(verifies(other, &why));
  EXPECT_NE(why.find("signature does not match"), std::string::npos) << why;
}

TEST(Checkpoint, RefusesEachAlteredHeaderField) {
  const Checkpoint c = signed_checkpoint();
  std::vector<std::pair<std::string, Checkpoint>> altered;
  auto add = [&](const char* what, auto change) {
    Checkpoint x = c;
    change(x);
    altered.emplace_back(what, x);
  };
  add("created_at", [](Checkpoint& x) { x.created_at = "2026-12-03T05:00:00Z"; });
  add("previous", [](Checkpoint& x) { x.previous = kA; });
  add("root", [](Checkpoint& x) { x.root = kB; });
  add("hash", [](Checkpoint& x) { x.hash = HashAlgorithm::sm3; });
  add("signature", [](Checkpoint& x) { x.signature[0] = x.signature[0] == '0' ? '1' : '0'; });
  for (const auto& [what, x] : altered) {
    std::string why;
    EXPECT_FALSE(verifies(x, &why)) << what;
    EXPECT_NE(why.find("signature does not match"), std::string::npos) << what << ": " << why;
  }
  Checkpoint x = c;
  x.signature = "zz" + x.signature.substr(2);
  std::string why;
  EXPECT_FALSE(verifies(x, &why));
  EXPECT_NE(why.find("not hexadecimal"), std::string::npos) << why;
}

TEST(Checkpoint, RefusesAlteredOrDroppedEntries) {
  std::string why;
  Checkpoint c = signed_checkpoint();
  c.entries[1].head.hash = kA;  // an entry line edited in the file: the signed root is no longer theirs
  EXPECT_FALSE(verifies(c, &why));
  EXPECT_NE(why.find("do not give its signed root"), std::string::npos) << why;
  c = signed_checkpoint();
  c.entries.erase(c.entries.begin());  // a case dropped from the file
  EXPECT_FALSE(verifies(c, &why));
  EXPECT_NE(why.find("not the 2 cases and 1 budgets"), std::string::npos) << why;
}

TEST(Checkpoint, KeysThatAreNotEd25519AreRefused) {
  Checkpoint c = signed_checkpoint();
  EXPECT_THROW(sign_checkpoint(c, "not a key"), std::invalid_argument);
  EXPECT_THROW(sign_checkpoint(c, keys().one.public_pem), std::invalid_argument);  // a public key cannot sign
  EXPECT_THROW(verify_checkpoint(c, "not a key", nullptr), std::invalid_argument);
}

TEST(Checkpoint, PreviousHashChainsCheckpoints) {
  for (auto hash : {HashAlgorithm::sha256, HashAlgorithm::sm3}) {
    const Checkpoint first = signed_checkpoint(hash);
    EXPECT_EQ(first.previous, kGenesisHash);
    const Checkpoint second = signed_checkpoint(hash, checkpoint_hash(first));
    EXPECT_EQ(second.previous, checkpoint_hash(first));
    EXPECT_TRUE(verifies(second));
    EXPECT_EQ(checkpoint_hash(first).size(), 64u);
    EXPECT_NE(checkpoint_hash(second), checkpoint_hash(first));
    // The hash is of the published header with its signature: what a 公示 page shows.
    EXPECT_EQ(checkpoint_hash(first), digest_hex(to_text(first, true), hash));
  }
  // The same checkpoint under the two algorithms gives different chain links.
  EXPECT_NE(checkpoint_hash(signed_checkpoint(HashAlgorithm::sha256)), checkpoint_hash(signed_checkpoint(HashAlgorithm::sm3)));
}

TEST(Checkpoint, ParseErrorsNameTheLine) {
  auto error_of = [](const std::string& text) {
    try {
      parse_checkpoint(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("hello\n").find("line 1: not a subsidy checkpoint"), std::string::npos);
  std::string text = to_text(signed_checkpoint());
  std::string bad_count = text;
  bad_count.replace(bad_count.find("cases: 2"), 8, "cases: x");
  EXPECT_NE(error_of(bad_count).find("line 3: `x` is not a count"), std::string::npos) << error_of(bad_count);
  std::string bad_hash = to_text(signed_checkpoint(HashAlgorithm::sm3));
  bad_hash.replace(bad_hash.find("hash: sm3"), 9, "hash: md5");
  EXPECT_NE(error_of(bad_hash).find("line 5: unknown hash `md5`"), std::string::npos) << error_of(bad_hash);
  EXPECT_NE(error_of(text + "case 1 2\n").find("line 12: expected `case ID COUNT HASH`"), std::string::npos)
      << error_of(text + "case 1 2\n");
}

// What compare_to_checkpoint names, each kind on its own.
struct Store {
  std::vector<CheckpointEntry> now = three();
  std::map<std::string, std::map<std::int64_t, std::string>> hashes{
      {"1", {{7, kA}}}, {"2", {{3, kB}}}, {"R14/2024", {{2, kC}}}};
  std::vector<AuditFinding> compare(const Checkpoint& c) const {
    std::vector<AuditFinding> out;
    compare_to_checkpoint(
        c, now,
        [&](const CheckpointEntry& e, std::int64_t seq) -> std::optional<std::string> {
          auto it = hashes.find(e.key);
          if (it == hashes.end()) return std::nullopt;
          auto h = it->second.find(seq);
          if (h == it->second.end()) return std::nullopt;
          return h->second;
        },
        out);
    return out;
  }
};

void expect_one(const std::vector<AuditFinding>& f, CaseId case_id, const std::string& budget, const std::string& words) {
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::checkpoint);
  EXPECT_EQ(f[0].case_id, case_id);
  EXPECT_EQ(f[0].budget, budget);
  EXPECT_NE(f[0].message.find(words), std::string::npos) << f[0].message;
}

TEST(CompareToCheckpoint, UnchangedAndGrownStoresHaveNoFindings) {
  const Checkpoint c = signed_checkpoint();
  Store s;
  EXPECT_TRUE(s.compare(c).empty());
  s.now[0].head = {9, kC};  // case 1 appended two events after the checkpoint; seq 7 is unchanged
  s.now.insert(s.now.begin() + 2, {Kind::case_chain, "3", {1, kA}});  // a case made after it
  EXPECT_TRUE(s.compare(c).empty());
}

TEST(CompareToCheckpoint, NamesADeletedCase) {
  Store s;
  s.now.erase(s.now.begin());
  expect_one(s.compare(signed_checkpoint()), 1, "", "case 1: the case existed at the checkpoint of 2026-12-02T05:00:00Z (7 events) but is no longer stored: it was deleted");
}

TEST(CompareToCheckpoint, NamesADeletedBudget) {
  Store s;
  s.now.pop_back();
  expect_one(s.compare(signed_checkpoint()), 0, "R14/2024", "budget R14/2024: the budget existed");
}

TEST(CompareToCheckpoint, NamesATruncatedChain) {
  Store s;
  s.now[1].head = {2, kA};
  const auto f = s.compare(signed_checkpoint());
  expect_one(f, 2, "", "history has 2 events but had 3 at the checkpoint of 2026-12-02T05:00:00Z: it was truncated");
  EXPECT_EQ(f[0].seq, 3);
}

TEST(CompareToCheckpoint, NamesARewrittenChain) {
  Store s;
  s.hashes["1"][7] = kB;  // a consistent rewrite: the stored seq 7 hashes differently now
  s.now[0].head = {7, kB};
  const auto f = s.compare(signed_checkpoint());
  expect_one(f, 1, "", "event seq 7 is not the one at the checkpoint");
  EXPECT_NE(f[0].message.find("rewritten (its hash was aaaaaaaaaaaaaaaa…, is bbbbbbbbbbbbbbbb…)"), std::string::npos) << f[0].message;
  EXPECT_EQ(f[0].seq, 7);
}

TEST(CompareToCheckpoint, NamesAMissingEventAtTheHead) {
  Store s;
  s.hashes["2"].clear();
  expect_one(s.compare(signed_checkpoint()), 2, "", "is missing)");
}

TEST(CompareToCheckpoint, NamesACaseInsertedAmongCheckpointedOnes) {
  Checkpoint c = signed_checkpoint();
  c.entries = {{Kind::case_chain, "1", {7, kA}}, {Kind::case_chain, "5", {3, kB}}};
  Store s;
  s.now = {{Kind::case_chain, "1", {7, kA}}, {Kind::case_chain, "3", {1, kC}}, {Kind::case_chain, "5", {3, kB}}};
  s.hashes = {{"1", {{7, kA}}}, {"5", {{3, kB}}}};
  expect_one(s.compare(c), 3, "", "case 3: the case is not in the checkpoint of 2026-12-02T05:00:00Z although later cases are");
}

TEST(CompareToCheckpoint, NamesARewrittenBudgetLedger) {
  Store s;
  s.hashes["R14/2024"][2] = kA;
  expect_one(s.compare(signed_checkpoint()), 0, "R14/2024", "budget R14/2024: event seq 2 is not the one");
}

}  // namespace
}  // namespace subsidy::store
