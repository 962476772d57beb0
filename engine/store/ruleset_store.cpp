#include "store/ruleset_store.hpp"

#include <set>
#include <stdexcept>

#include "store/errors.hpp"
#include "store/event.hpp"

namespace subsidy::store {

std::string ruleset_hash(std::span<const RulesetFile> files) {
  std::string bytes;
  for (const RulesetFile& f : files) {
    bytes += f.path;
    bytes += '\0';
    bytes += f.text;
    bytes += '\0';
  }
  return sha256_hex(bytes);
}

void validate_ruleset(const RulesetSources& r) {
  if (r.files.empty()) throw std::invalid_argument("ruleset " + r.hash + " has no files");
  std::set<std::string> paths;
  for (const RulesetFile& f : r.files) {
    if (f.path.empty()) throw std::invalid_argument("ruleset " + r.hash + " has a file without a path");
    if (!paths.insert(f.path).second) throw std::invalid_argument("ruleset " + r.hash + " lists `" + f.path + "` twice");
    if (f.text.find('\0') != std::string::npos) {
      throw std::invalid_argument("ruleset file `" + f.path + "` contains a NUL byte and cannot be stored as text");
    }
  }
  if (const std::string computed = ruleset_hash(r.files); computed != r.hash) {
    throw std::invalid_argument("ruleset hash `" + r.hash + "` does not match its files (their hash is " + computed + ")");
  }
}

void validate_published(const RulesetSources& r, const PublishedRuleset& p) {
  if (p.ruleset_hash != r.hash)
    throw std::invalid_argument("published version names ruleset `" + p.ruleset_hash + "`, not the ruleset given (" + r.hash + ")");
  if (p.published_by.find_first_not_of(" \t\r\n") == std::string::npos)
    throw std::invalid_argument("a published version needs who published it");
  if (p.calendar_text.find('\0') != std::string::npos)
    throw std::invalid_argument("the published calendar contains a NUL byte and cannot be stored as text");
}

void check_stored_ruleset(const RulesetSources& r) {
  if (const std::string computed = ruleset_hash(r.files); computed != r.hash) {
    throw CorruptError("stored ruleset " + r.hash + " does not match its files (their hash is " + computed +
                       "): they were changed outside the repository");
  }
}

}  // namespace subsidy::store
