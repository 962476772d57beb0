// Signed checkpoints (see checkpoint.hpp): Merkle root, Ed25519 through OpenSSL 3 EVP, text form.
#include "store/checkpoint.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace subsidy::store {

namespace {

using Bytes = std::string;  // raw digests

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Bytes digest_raw(const std::string& bytes, HashAlgorithm a) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* type = a == HashAlgorithm::sm3 ? EVP_sm3() : EVP_sha256();
  if (type == nullptr || EVP_Digest(bytes.data(), bytes.size(), md, &len, type, nullptr) != 1) {
    throw std::runtime_error(std::string(hash_algorithm_name(a)) + " failed (OpenSSL EVP_Digest)");
  }
  return Bytes(reinterpret_cast<const char*>(md), len);
}
Bytes sha256_raw(const std::string& bytes) { return digest_raw(bytes, HashAlgorithm::sha256); }

std::string hex(const std::string& raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * raw.size(), '0');
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0x0F];
  }
  return out;
}

std::optional<std::string> unhex(const std::string& h) {
  if (h.size() % 2 != 0) return std::nullopt;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out(h.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nib(h[2 * i]), lo = nib(h[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string entry_line(const CheckpointEntry& e) {
  return std::string(e.kind == CheckpointEntry::Kind::case_chain ? "case " : "budget ") + e.key + " " +
         std::to_string(e.head.count) + " " + e.head.hash;
}

std::string signed_text(const Checkpoint& c) {
  return "subsidy.checkpoint.v1\ncreated_at: " + c.created_at + "\ncases: " + std::to_string(c.cases) +
         "\nbudgets: " + std::to_string(c.budgets) +
         (c.hash == HashAlgorithm::sha256 ? std::string() : std::string("\nhash: ") + hash_algorithm_name(c.hash)) +
         "\nprevious: " + c.previous + "\nroot: " + c.root + "\nkey: " + c.key_id + "\n";
}

Pkey read_key(const std::string& pem, bool private_key) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::runtime_error("OpenSSL: cannot read the key");
  Pkey k(private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                     : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!k || EVP_PKEY_is_a(k.get(), "ED25519") != 1) {
    throw std::invalid_argument(std::string("not an Ed25519 ") + (private_key ? "private" : "public") +
                                " key in PEM form (make one with `subsidy audit keygen`)");
  }
  return k;
}

std::string key_id(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(k, &der);
  if (len <= 0) throw std::runtime_error("OpenSSL: cannot encode the public key");
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return hex(sha256_raw(bytes));
}

std::string pem_of(EVP_PKEY* k, bool private_key) {
  Bio bio(BIO_new(BIO_s_mem()));
  const int ok = private_key ? PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr)
                             : PEM_write_bio_PUBKEY(bio.get(), k);
  if (!bio || ok != 1) throw std::runtime_error("OpenSSL: cannot write the key");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

std::string merkle_root(const std::vector<CheckpointEntry>& entries, HashAlgorithm hash) {
  auto H = [hash](const std::string& bytes) { return digest_raw(bytes, hash); };
  if (entries.empty()) return hex(H(""));
  std::vector<Bytes> level;
  level.reserve(entries.size());
  for (const auto& e : entries) level.push_back(H(std::string(1, '\0') + entry_line(e)));
  while (level.size() > 1) {
    std::vector<Bytes> up;
    up.reserve((level.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) up.push_back(H(std::string(1, '\1') + level[i] + level[i + 1]));
    if (level.size() % 2 == 1) up.push_back(level.back());
    level = std::move(up);
  }
  return hex(level.front());
}

KeyPair generate_ed25519() {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!k) throw std::runtime_error("OpenSSL: Ed25519 key generation failed");
  return {pem_of(k.get(), true), pem_of(k.get(), false)};
}

void sign_checkpoint(Checkpoint& c, const std::string& private_pem) {
  Pkey k = read_key(private_pem, true);
  c.root = merkle_root(c.entries, c.hash);
  c.key_id = key_id(k.get());
  const std::string msg = signed_text(c);
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1) {
    throw std::runtime_error("OpenSSL: Ed25519 signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1) {
    throw std::runtime_error("OpenSSL: Ed25519 signing failed");
  }
  sig.resize(len);
  c.signature = hex(sig);
}

bool verify_checkpoint(const Checkpoint& c, const std::string& public_pem, std::string* why) {
  Pkey k = read_key(public_pem, false);
  auto fail = [&](std::string m) {
    if (why) *why = std::move(m);
    return false;
  };
  if (key_id(k.get()) != c.key_id) return fail("the checkpoint was signed with another key (key " + c.key_id.substr(0, 16) + "…)");
  const auto sig = unhex(c.signature);
  if (!sig) return fail("the signature is not hexadecimal");
  const std::string msg = signed_text(c);
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1) {
    throw std::runtime_error("OpenSSL: Ed25519 verification failed to start");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1) {
    return fail("the signature does not match the checkpoint's header: the checkpoint was altered");
  }
  const std::int64_t cases = std::count_if(c.entries.begin(), c.entries.end(),
                                           [](const CheckpointEntry& e) { return e.kind == CheckpointEntry::Kind::case_chain; });
  if (cases != c.cases || static_cast<std::int64_t>(c.entries.size()) - cases != c.budgets) {
    return fail("the checkpoint's entries are not the " + std::to_string(c.cases) + " cases and " + std::to_string(c.budgets) +
                " budgets it signed");
  }
  if (merkle_root(c.entries, c.hash) != c.root) return fail("the checkpoint's entries do not give its signed root: they were altered");
  return true;
}

std::string to_text(const Checkpoint& c, bool header_only) {
  std::string out = signed_text(c) + "signature: " + c.signature + "\n";
  if (header_only) return out;
  for (const auto& e : c.entries) out += entry_line(e) + "\n";
  return out;
}

std::string checkpoint_hash(const Checkpoint& c) { return hex(digest_raw(to_text(c, true), c.hash)); }

Checkpoint parse_checkpoint(const std::string& text) {
  Checkpoint c;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto bad = [&](const std::string& what) {
    return std::invalid_argument("checkpoint line " + std::to_string(n) + ": " + what);
  };
  auto field = [&](const char* name) {
    ++n;
    if (!std::getline(in, line)) throw bad(std::string("missing `") + name + ":`");
    const std::string prefix = std::string(name) + ": ";
    if (line.rfind(prefix, 0) != 0) throw bad(std::string("expected `") + name + ": …`, found `" + line + "`");
    return line.substr(prefix.size());
  };
  auto number = [&](const std::string& s) {
    try {
      std::size_t used = 0;
      const long long v = std::stoll(s, &used);
      if (used != s.size() || v < 0) throw bad("`" + s + "` is not a count");
      return static_cast<std::int64_t>(v);
    } catch (const std::logic_error&) {
      throw bad("`" + s + "` is not a count");
    }
  };
  ++n;
  if (!std::getline(in, line) || line != "subsidy.checkpoint.v1") throw bad("not a subsidy checkpoint (expected `subsidy.checkpoint.v1`)");
  c.created_at = field("created_at");
  c.cases = number(field("cases"));
  c.budgets = number(field("budgets"));
  ++n;
  if (!std::getline(in, line)) throw bad("missing `previous:`");
  if (line.rfind("hash: ", 0) == 0) {
    const auto a = parse_hash_algorithm(line.substr(6));
    if (!a) throw bad("unknown hash `" + line.substr(6) + "` (sha256 or sm3)");
    c.hash = *a;
    ++n;
    if (!std::getline(in, line)) throw bad("missing `previous:`");
  }
  if (line.rfind("previous: ", 0) != 0) throw bad("expected `previous: …`, found `" + line + "`");
  c.previous = line.substr(10);
  c.root = field("root");
  c.key_id = field("key");
  c.signature = field("signature");
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    std::istringstream ls(line);
    std::string kind, key, count, hash, extra;
    if (!(ls >> kind >> key >> count >> hash) || (ls >> extra) || (kind != "case" && kind != "budget")) {
      throw bad("expected `case ID COUNT HASH` or `budget NAME COUNT HASH`, found `" + line + "`");
    }
    c.entries.push_back({kind == "case" ? CheckpointEntry::Kind::case_chain : CheckpointEntry::Kind::budget, key,
                         ChainHead{number(count), hash}});
  }
  return c;
}

void compare_to_checkpoint(const Checkpoint& c, const std::vector<CheckpointEntry>& now, const SeqHash& seq_hash,
                           std::vector<AuditFinding>& out) {
  using Kind = CheckpointEntry::Kind;
  auto finding = [&](const CheckpointEntry& e, std::int64_t seq, std::string message) {
    AuditFinding f;
    f.kind = FindingKind::checkpoint;
    f.seq = seq;
    if (e.kind == Kind::case_chain) {
      f.case_id = std::stoll(e.key);
      f.message = "case " + e.key + ": " + std::move(message);
    } else {
      f.budget = e.key;
      f.message = "budget " + e.key + ": " + std::move(message);
    }
    out.push_back(std::move(f));
  };
  std::map<std::pair<Kind, std::string>, const CheckpointEntry*> current;
  for (const auto& e : now) current[{e.kind, e.key}] = &e;
  std::int64_t last_case = 0;
  for (const auto& then : c.entries) {
    const std::string what = then.kind == Kind::case_chain ? "case" : "budget";
    if (then.kind == Kind::case_chain) last_case = std::max<std::int64_t>(last_case, std::stoll(then.key));
    auto it = current.find({then.kind, then.key});
    const std::string at = " at the checkpoint of " + c.created_at + " (" + std::to_string(then.head.count) + " events)";
    if (it == current.end()) {
      finding(then, 0, "the " + what + " existed" + at + " but is no longer stored: it was deleted");
      continue;
    }
    const CheckpointEntry& cur = *it->second;
    if (cur.head.count < then.head.count) {
      finding(then, cur.head.count + 1,
              "the " + what + "'s history has " + std::to_string(cur.head.count) + " events but had " +
                  std::to_string(then.head.count) + at.substr(0, at.find(" (")) + ": it was truncated");
      continue;
    }
    const auto stored = seq_hash(cur, then.head.count);
    if (!stored || *stored != then.head.hash) {
      finding(then, then.head.count,
              "event seq " + std::to_string(then.head.count) + " is not the one" + at +
                  ": the history up to it was rewritten (its hash was " + then.head.hash.substr(0, 16) + "…, is " +
                  (stored ? stored->substr(0, 16) + "…" : std::string("missing")) + ")");
    }
  }
  std::map<std::pair<Kind, std::string>, bool> then_keys;
  for (const auto& e : c.entries) then_keys[{e.kind, e.key}] = true;
  for (const auto& e : now) {
    if (e.kind != Kind::case_chain || then_keys.count({e.kind, e.key})) continue;
    if (std::stoll(e.key) < last_case) {
      finding(e, 0, "the case is not in the checkpoint of " + c.created_at + " although later cases are: it was inserted afterwards");
    }
  }
}

}  // namespace subsidy::store
