// `subsidy audit verify [--case ID] [--format text|json]` (docs/storage.md §4): the cases' event
// chains and the budgets' ledgers; exit 1 when tampering is found.
#include <boost/json.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "json/case_json.hpp"
#include "service/audit.hpp"
#include "store/checkpoint.hpp"
#include "store/clock.hpp"

namespace subsidy::cli {

namespace {

struct AuditOptions {
  std::string db, format = "text", rules = "rules", checkpoint, pubkey;
  long long id = 0;
  bool no_replay = false;
};

std::string plural(std::int64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

struct CheckpointOptions {
  std::string db, key, out, previous;
  bool print = false;
};

// A key or checkpoint file's text; a usage error naming the file when it cannot be read.
std::string read_file_or_throw(const std::string& path, const char* what) {
  auto text = read_text(path);
  if (!text)
    throw service::ServiceError(service::ErrorKind::input, "unreadable_file",
                                std::string("cannot read the ") + what + " " + path, {{"file", path}});
  return *text;
}

// Writes `text` to a new file `path` with `mode` (refusing to overwrite it: a key is never replaced by mistake).
void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0)
    throw service::ServiceError(service::ErrorKind::input, "cannot_write",
                                "cannot create " + path + ": " + std::strerror(errno) + (errno == EEXIST ? " (a key is never overwritten)" : ""),
                                {{"file", path}});
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fchmod(fd, mode) == 0;
  ::close(fd);
  if (!ok) throw service::ServiceError(service::ErrorKind::internal, "cannot_write", "cannot write " + path, {{"file", path}});
}

// Replaces `path` with `text` (written beside it, then renamed: a reader never sees half a checkpoint).
void replace_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
      throw service::ServiceError(service::ErrorKind::input, "cannot_write", "cannot write " + tmp, {{"file", tmp}});
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw service::ServiceError(service::ErrorKind::input, "cannot_write", "cannot replace " + path + ": " + std::strerror(errno),
                                {{"file", path}});
}

store::Checkpoint parse_checkpoint_file(const std::string& path) {
  try {
    return store::parse_checkpoint(read_file_or_throw(path, "checkpoint"));
  } catch (const std::invalid_argument& e) {
    throw service::ServiceError(service::ErrorKind::input, "bad_checkpoint", path + ": " + e.what(), {{"file", path}});
  }
}

int run_keygen(const std::string& out) {
  return guarded([&] {
    const auto keys = store::generate_ed25519();
    write_new_file(out, keys.private_pem, 0600);
    write_new_file(out + ".pub", keys.public_pem, 0644);
    std::printf("wrote the Ed25519 signing key %s (mode 0600: keep it off the database server) and its public key %s.pub "
                "(give it to the auditors)\n",
                out.c_str(), out.c_str());
    return kExitOk;
  });
}

int run_checkpoint(const CheckpointOptions& o) {
  return guarded([&] {
    const std::string key = read_file_or_throw(o.key, "signing key");
    std::string previous = store::kGenesisHash;
    const std::string prev_path = !o.previous.empty() ? o.previous : (std::filesystem::exists(o.out) ? o.out : std::string());
    if (!prev_path.empty()) previous = store::checkpoint_hash(parse_checkpoint_file(prev_path));
    auto repo = open_db(o.db);
    store::Checkpoint c;
    try {
      c = service::make_checkpoint(*repo, key, store::utc_now(), previous);
    } catch (const std::invalid_argument& e) {
      throw service::ServiceError(service::ErrorKind::input, "bad_key", o.key + ": " + e.what(), {{"file", o.key}});
    }
    replace_file(o.out, store::to_text(c));
    if (o.print) {
      std::printf("%s", store::to_text(c, true).c_str());
    } else {
      std::printf("checkpoint of %s written to %s: %s, %s, root %s\n", c.created_at.c_str(), o.out.c_str(),
                  plural(c.cases, "case").c_str(), plural(c.budgets, "budget").c_str(), c.root.c_str());
    }
    return kExitOk;
  });
}

// The text report lists at most this many findings in all (each chain's are capped already,
// store::kMaxFindingsPerChain); `--format json` lists every finding the audit kept.
constexpr std::size_t kMaxListedFindings = 1000;

int run_verify(const AuditOptions& o) {
  return guarded([&] {
    std::optional<store::CaseId> only;
    if (o.id) only = o.id;
    store::AuditReport rep;
    if (o.no_replay) {
      rep = open_db(o.db)->verify_audit(only);
    } else {
      Session s;
      if (int rc = open_session(o.rules, o.db, s, o.format == "json"); rc != kExitOk) return rc;
      service::AuditOptions ao;
      ao.only = only;
      ao.progress = [](std::int64_t done, std::int64_t total) {  // large databases: where it is, on stderr
        std::fprintf(stderr, "audit: %lld of %lld cases replayed\n", static_cast<long long>(done), static_cast<long long>(total));
      };
      rep = service::audit(*s.env, ao);
    }
    if (!o.checkpoint.empty()) {
      const auto c = parse_checkpoint_file(o.checkpoint);
      const std::string pub = read_file_or_throw(o.pubkey, "public key");
      try {
        service::check_checkpoint(*open_db(o.db), c, pub, rep);
      } catch (const std::invalid_argument& e) {
        throw service::ServiceError(service::ErrorKind::input, "bad_key", o.pubkey + ": " + e.what(), {{"file", o.pubkey}});
      }
    }
    if (o.format == "json") {
      std::printf("%s\n", boost::json::serialize(json::audit_object(rep)).c_str());
      return rep.clean() ? kExitOk : kExitTestsFailed;
    }
    const std::size_t listed = std::min(rep.findings.size(), kMaxListedFindings);
    for (std::size_t i = 0; i < listed; ++i) {
      const store::AuditFinding& f = rep.findings[i];
      const std::string owner = f.budget.empty() ? "case " + std::to_string(f.case_id) : "budget " + f.budget;
      std::printf("%s seq %lld: %s: %s\n", owner.c_str(), static_cast<long long>(f.seq), store::finding_kind_name(f.kind),
                  f.message.c_str());
    }
    if (listed < rep.findings.size()) {
      std::printf("… and %zu more findings, not listed (--format json lists them all)\n", rep.findings.size() - listed);
    }
    std::string checked = plural(rep.cases, "case") + ", " + plural(rep.events, "event");
    if (!only) checked += ", " + plural(rep.budgets, "budget") + ", " + plural(rep.budget_events, "budget event");
    if (!o.no_replay) {
      checked += "; " + plural(rep.replayed, "case") + " replayed";
      if (rep.legacy > 0) checked += " (" + std::to_string(rep.legacy) + " written before events carried their state: routing only)";
      checked += ", " + plural(rep.awards, "award");
    }
    std::printf("%s checked: %s\n", checked.c_str(),
                rep.clean() ? (o.no_replay ? "every chain verifies" : "every chain verifies and every case matches its history")
                            : (std::to_string(rep.findings.size()) + " finding(s): the history was tampered with").c_str());
    return rep.clean() ? kExitOk : kExitTestsFailed;
  }, o.format == "json");
}

}  // namespace

void add_audit_commands(CLI::App& app, Action& action) {
  auto* ac = app.add_subcommand("audit", "verify the tamper-evident event chains and budget ledgers (docs/storage.md §4)");
  ac->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();
  auto* v = ac->add_subcommand(
      "verify", "recompute every case's chain and every budget's ledger; name each altered, deleted or reordered event (exit 1)");
  add_db_option(v, o->db);
  v->add_option("--case", o->id, "only this case (budgets are then not checked)");
  add_rules_option(v, o->rules);
  v->add_flag("--no-replay", o->no_replay,
              "check the hash chains only; by default every case's events are also replayed through its workflow (the "
              "rules of each decision as stored, the calendar of --rules) and the case rows, facts versions, awards and "
              "budget totals are checked against that history");
  auto* cp = v->add_option("--checkpoint", o->checkpoint,
                           "also check the store against this signed checkpoint (`audit checkpoint`): every case and budget "
                           "it lists still exists with its history up to the checkpointed head unchanged");
  v->add_option("--pubkey", o->pubkey, "the public key the checkpoint was signed with (KEY.pub of `audit keygen`)")->needs(cp);
  cp->needs(v->get_option("--pubkey"));

  auto keyfile = std::make_shared<std::string>();
  auto* kg = ac->add_subcommand("keygen", "create an Ed25519 key pair for signing checkpoints: KEY (private, mode 0600) and KEY.pub");
  kg->add_option("--out", *keyfile, "the private key file to create (never overwritten); the public key goes to KEY.pub")->required();
  kg->callback([&action, keyfile] { action = [keyfile] { return run_keygen(*keyfile); }; });

  auto co = std::make_shared<CheckpointOptions>();
  auto* ck = ac->add_subcommand(
      "checkpoint",
      "write a signed checkpoint: the Merkle root over every case's chain head and every budget ledger's head, the case "
      "count, the time and the previous checkpoint's hash, signed with the key of `audit keygen`; keep or publish it "
      "outside the database, and give it to `audit verify --checkpoint`");
  add_db_option(ck, co->db);
  ck->add_option("--key", co->key, "the private signing key (KEY of `audit keygen`); it is never stored in the database")->required();
  ck->add_option("--out", co->out, "the checkpoint file to write (replaced; when it exists it is the previous checkpoint)")->required();
  ck->add_option("--previous", co->previous, "the previous checkpoint (default: the --out file when it exists)");
  ck->add_flag("--print", co->print, "print the signed header (what to publish, e.g. on the 公示 page) instead of a summary");
  ck->callback([&action, co] { action = [co] { return run_checkpoint(*co); }; });
  v->add_option("--format", o->format, "text (default) or json (one object: counts and findings)")
      ->check(CLI::IsMember({"text", "json"}));
  v->callback([&action, o] { action = [o] { return run_verify(*o); }; });
}

}  // namespace subsidy::cli
