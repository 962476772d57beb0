#include "service/prepared.hpp"

#include <stdexcept>

#include "eval/lower.hpp"
#include "service/errors.hpp"

namespace subsidy::service {

PreparedRules::PreparedRules(Parts parts, const Codec& codec) : parts_(std::move(parts)), codec_(codec) {
  if (!parts_.ruleset || !parts_.workflows) throw std::invalid_argument("PreparedRules needs a ruleset and its workflows");
  writer_ = codec_.writer(ruleset());
  const auto n = ruleset().programs.size();
  selections_.assign(n, eval::Selection(n, 0));
  for (std::size_t i = 0; i < n; ++i) selections_[i][i] = 1;
  pool_.resize(n);
}

std::unique_ptr<CompiledRules> compile_files(const std::vector<store::RulesetFile>& files, const std::vector<std::string>& shown) {
  auto out = std::make_unique<CompiledRules>();
  for (std::size_t i = 0; i < files.size(); ++i) out->sources.add(i < shown.size() ? shown[i] : files[i].path, files[i].text);
  auto res = eval::compile(out->sources, out->diags, store::ruleset_hash(files));
  out->ruleset = std::move(res.ruleset);
  if (out->ruleset) {
    out->workflows = workflow::compile_workflows(out->ruleset, out->diags);
    if (out->diags.has_errors()) {
      out->ruleset = nullptr;
      out->workflows = nullptr;
    }
  }
  return out;
}

Programme PreparedRules::programme(std::string_view id) const {
  const auto& rs = ruleset();
  int p = rs.find_program(std::string(id));
  if (p < 0) {
    std::string known;
    for (const auto& prog : rs.programs) known += " " + prog.id;
    throw ServiceError(ErrorKind::usage, "unknown_programme", "unknown programme `" + std::string(id) + "`; the ruleset has:" + known,
                       {{"programme", std::string(id)}});
  }
  const auto* wf = workflows().for_program(std::string(id));
  if (!wf)
    throw ServiceError(ErrorKind::rules, "no_workflow", "programme `" + std::string(id) + "` has no workflow (`workflow NAME;` in its rules)",
                       {{"programme", std::string(id)}});
  return {static_cast<std::uint32_t>(p), wf};
}

PreparedRules::ReaderLease PreparedRules::reader(std::uint32_t programme) const {
  {
    std::lock_guard lock(pool_mutex_);
    auto& free = pool_.at(programme);
    if (!free.empty()) {
      auto r = std::move(free.back());
      free.pop_back();
      return ReaderLease(this, programme, std::move(r));
    }
  }
  const auto& rs = ruleset();
  // The programme's facts, and the facts its workflow's guards route by.
  int wf = -1;
  if (const auto* w = workflows().for_program(rs.programs[programme].id)) wf = rs.workflow_decls.find_workflow(w->name());
  return ReaderLease(this, programme, codec_.reader(rs, eval::FactUse{&selections_[programme], /*routing=*/true, wf}));
}

PreparedRules::ReaderLease::~ReaderLease() {
  if (!reader_) return;
  std::lock_guard lock(owner_->pool_mutex_);
  owner_->pool_[index_].push_back(std::move(reader_));
}

std::shared_ptr<const PreparedRules> PreparedCache::get(const std::string& hash, const Build& build) {
  std::lock_guard lock(mutex_);
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) return it->second;
  auto built = build();
  if (built) by_hash_.emplace(hash, built);
  return built;
}

void PreparedCache::put(std::shared_ptr<const PreparedRules> rules) {
  if (!rules) return;
  std::lock_guard lock(mutex_);
  by_hash_.insert_or_assign(rules->hash(), std::move(rules));
}

}  // namespace subsidy::service
