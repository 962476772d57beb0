#pragma once
// Signed checkpoints of the event chains (docs/storage.md §4): the head (event count and last hash)
// of every case's chain and every budget's ledger, a Merkle root over them, the case count, the
// time and the previous checkpoint's hash, signed with an Ed25519 key (OpenSSL 3 EVP) that is kept
// outside the database. A checkpoint written to a file (and published) anchors the history: a later
// rewrite of any chain up to its head, a truncation or a deleted case no longer matches it.
//
// Pure functions on strings (no files): keys are PEM text, checkpoints their text form below.
//
//   subsidy.checkpoint.v1
//   created_at: 2026-12-02T05:00:00Z
//   cases: 20000
//   budgets: 3
//   hash: sm3          (only on a database that chose SM3: the digest of root, previous and the chains)
//   previous: <64 hex: checkpoint_hash of the previous checkpoint, 64 zeros for the first>
//   root: <64 hex: Merkle root over the entries>
//   key: <64 hex: SHA-256 of the signing key's public key (DER)>
//   signature: <128 hex: Ed25519 over every line above, each ending in \n>
//   case 1 7 <head hash>
//   budget R14/2024 3 <head hash>
//
// The header up to `signature` is what is published (--print); the entry lines let the verifier
// name what changed, and must give the signed root.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/audit.hpp"

namespace subsidy::store {

struct CheckpointEntry {
  enum class Kind : std::uint8_t { case_chain, budget };
  Kind kind = Kind::case_chain;
  std::string key;  // the case id in decimal, or the budget's name "R14/2024"
  ChainHead head;
  bool operator==(const CheckpointEntry&) const = default;
};

struct Checkpoint {
  std::string created_at;
  std::int64_t cases = 0, budgets = 0;
  HashAlgorithm hash = HashAlgorithm::sha256;  // the database's (Merkle root, checkpoint_hash); key_id is always SHA-256
  std::string previous = kGenesisHash;
  std::string root;
  std::string key_id;     // SHA-256 of the public key (DER), hex
  std::string signature;  // hex
  std::vector<CheckpointEntry> entries;  // cases by id, then budgets by name
};

// Lower-case hex Merkle root of the entries (H = SHA-256 or SM3; leaf = H(0x00 ‖ "case 1 7 <hash>"),
// node = H(0x01 ‖ left ‖ right) over the raw digests, an odd last node carried up; no entries: H("")).
std::string merkle_root(const std::vector<CheckpointEntry>& entries, HashAlgorithm hash = HashAlgorithm::sha256);

struct KeyPair {
  std::string private_pem, public_pem;
};
// A new Ed25519 key pair (PKCS#8 private key, SubjectPublicKeyInfo public key). std::runtime_error
// when OpenSSL fails.
KeyPair generate_ed25519();

// Fills root, key_id and signature of `c` (its entries, counts, time and previous set) with the
// private key. std::invalid_argument when the PEM is not an Ed25519 private key.
void sign_checkpoint(Checkpoint& c, const std::string& private_pem);
// Whether the checkpoint's signature is valid for `public_pem` and its entries give its root;
// `why` says what is wrong. std::invalid_argument when the PEM is not an Ed25519 public key.
bool verify_checkpoint(const Checkpoint& c, const std::string& public_pem, std::string* why);

// The text form (header, signature line, entries) and its parser (std::invalid_argument naming the
// line that is wrong). `header_only`: the lines to publish.
std::string to_text(const Checkpoint& c, bool header_only = false);
Checkpoint parse_checkpoint(const std::string& text);
// The hash the next checkpoint names as `previous`: the digest (c.hash) of the header with its signature.
std::string checkpoint_hash(const Checkpoint& c);

// What changed since checkpoint `c` in the chains whose heads are now `now` (both ordered as
// Checkpoint::entries), given `seq_hash(entry, seq)`: the hash of that chain's stored event at seq
// (nullopt when there is none). Appends checkpoint findings naming each deleted case or budget,
// truncated chain and chain rewritten up to its checkpointed head.
// Entries in `now` that sort before the checkpoint's last case but are not in it (a case inserted
// among the checkpointed ones) are named too.
using SeqHash = std::function<std::optional<std::string>(const CheckpointEntry&, std::int64_t)>;
void compare_to_checkpoint(const Checkpoint& c, const std::vector<CheckpointEntry>& now, const SeqHash& seq_hash,
                           std::vector<AuditFinding>& out);

}  // namespace subsidy::store
