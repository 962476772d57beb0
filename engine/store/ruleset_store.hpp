#pragma once
// Stored rulesets: the sources of every ruleset a stored decision was made with, once per hash, so
// a case can be shown and explained without the rules directory, exactly as it was decided.
#include <span>
#include <string>
#include <vector>

namespace subsidy::store {

struct RulesetFile {
  std::string path;  // relative to the rules directory, '/'-separated (the loader's order)
  std::string text;  // the file's bytes (UTF-8 without NUL bytes)
  bool operator==(const RulesetFile&) const = default;
};

struct RulesetSources {
  std::string hash;                // ruleset_hash(files): the Ruleset::hash of decisions made with it
  std::vector<RulesetFile> files;  // in the order they were hashed
  std::string created_at;          // UTC ISO-8601; stamped by store_ruleset when empty
  bool operator==(const RulesetSources&) const = default;
};

// A published rule version (migration 008): which stored ruleset the service and the case commands
// use when not given a rules directory — the latest version.
struct PublishedRuleset {
  int version = 0;            // 1, 2, … assigned by publish_ruleset
  std::string ruleset_hash;   // a stored ruleset (RulesetSources::hash)
  std::string calendar_text;  // the working-day calendar published with it ("" when none)
  std::string note;           // why it was published
  std::string published_by;   // "os:alice" from the CLI, the user's name over HTTP
  std::string published_at;   // UTC ISO-8601; stamped by publish_ruleset when empty
  std::string test_summary;   // what its tests gave ("12 passed, 0 failed; coverage …")
  bool operator==(const PublishedRuleset&) const = default;
};

// Lower-case hex SHA-256 over every file's path, a NUL byte, its text and a NUL byte, in order:
// the hash the rules loader gives a ruleset.
std::string ruleset_hash(std::span<const RulesetFile> files);

// std::invalid_argument unless the sources can be stored: at least one file, no NUL byte in a
// text, no empty or duplicate path, and `hash` is ruleset_hash(files).
void validate_ruleset(const RulesetSources& r);
// std::invalid_argument unless `p` can be published with `r`: its ruleset hash is r.hash, and it
// names who publishes it.
void validate_published(const RulesetSources& r, const PublishedRuleset& p);
// CorruptError unless sources read back from storage still hash to their hash.
void check_stored_ruleset(const RulesetSources& r);

}  // namespace subsidy::store
