#pragma once
// Prepared rules: everything a use case needs from one ruleset, built once per ruleset hash and
// shared by threads — the ruleset, its workflows, the working-day calendar, the sources it was
// compiled from (stored with every decision), the decision writer and, per programme, pooled fact
// readers that require exactly that programme's facts and its workflow's routing facts.
// Immutable after construction (the reader pool is internally synchronised).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "eval/ruleset.hpp"
#include "diag/diagnostic.hpp"
#include "diag/source.hpp"
#include "service/codec.hpp"
#include "store/ruleset_store.hpp"
#include "workflow/calendar.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::service {

// A programme of the ruleset with the workflow its cases follow.
struct Programme {
  std::uint32_t index = 0;
  const workflow::Workflow* wf = nullptr;
};

class PreparedRules {
 public:
  struct Parts {
    std::shared_ptr<const eval::Ruleset> ruleset;          // required
    std::shared_ptr<const workflow::WorkflowSet> workflows;  // required (may hold no workflow)
    workflow::Calendar calendar;
    std::vector<store::RulesetFile> sources;  // what it was compiled from (ruleset_hash(sources) == hash)
  };
  PreparedRules(Parts parts, const Codec& codec);
  PreparedRules(const PreparedRules&) = delete;
  PreparedRules& operator=(const PreparedRules&) = delete;

  const eval::Ruleset& ruleset() const { return *parts_.ruleset; }
  const workflow::WorkflowSet& workflows() const { return *parts_.workflows; }
  const workflow::Calendar& calendar() const { return parts_.calendar; }
  const std::vector<store::RulesetFile>& sources() const { return parts_.sources; }
  const Codec& codec() const { return codec_; }
  const std::string& hash() const { return parts_.ruleset->hash; }
  const DecisionWriter& writer() const { return *writer_; }

  // ServiceError usage/unknown_programme (naming the programmes there are), rules/no_workflow.
  Programme programme(std::string_view id) const;
  // Only programme `index` selected (what a case of that programme is evaluated with).
  const eval::Selection& selection(std::uint32_t index) const { return selections_[index]; }

  // A fact reader for applications to one programme, borrowed from the pool and given back when
  // the lease ends. Leases may be taken from any thread.
  class ReaderLease {
   public:
    ReaderLease(ReaderLease&&) noexcept = default;
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease();
    FactReader& operator*() const { return *reader_; }
    FactReader* operator->() const { return reader_.get(); }

   private:
    friend class PreparedRules;
    ReaderLease(const PreparedRules* owner, std::uint32_t index, std::unique_ptr<FactReader> r)
        : owner_(owner), index_(index), reader_(std::move(r)) {}
    const PreparedRules* owner_;
    std::uint32_t index_;
    std::unique_ptr<FactReader> reader_;
  };
  ReaderLease reader(std::uint32_t programme) const;
  // A reader of one's own for other uses (batch workers: one per thread).
  std::unique_ptr<FactReader> make_reader(const eval::FactUse& use) const { return codec_.reader(ruleset(), use); }

 private:
  Parts parts_;
  Codec codec_;
  std::unique_ptr<DecisionWriter> writer_;
  std::vector<eval::Selection> selections_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::vector<std::unique_ptr<FactReader>>> pool_;  // per programme
};

// Rule files compiled (parse → check → lower) and their workflows validated (E0720–E0726): the
// one compile path of rules from a directory and of rulesets stored with decisions. `shown[i]` is
// how diagnostics name files[i] (a path on disk; default: its relative path).
struct CompiledRules {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  std::shared_ptr<const eval::Ruleset> ruleset;            // null on errors
  std::shared_ptr<const workflow::WorkflowSet> workflows;  // null on errors
};
std::unique_ptr<CompiledRules> compile_files(const std::vector<store::RulesetFile>& files,
                                             const std::vector<std::string>& shown = {});

// Prepared rules by ruleset hash, so that a ruleset is prepared once per process however often it
// is asked for (the current rules, and the stored rulesets that old decisions were made with).
class PreparedCache {
 public:
  using Build = std::function<std::shared_ptr<const PreparedRules>()>;
  // The prepared rules of `hash`, built with `build` the first time (concurrent callers wait for
  // one build). `build` may return null (nothing is cached then).
  std::shared_ptr<const PreparedRules> get(const std::string& hash, const Build& build);
  void put(std::shared_ptr<const PreparedRules> rules);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const PreparedRules>, std::less<>> by_hash_;
};

}  // namespace subsidy::service
