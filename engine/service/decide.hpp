#pragma once
// The per-record step every caller shares: decode an applicant (FactReader), evaluate it, encode
// the decision (DecisionWriter) or an error record — for `evaluate` batches, `serve` requests and
// the case use cases (which feed back earlier awards between decoding and evaluating).
// A Decider is one thread's state, reused for every record: no allocation per record once warm.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"
#include "model/decision.hpp"
#include "model/facts.hpp"
#include "service/codec.hpp"

namespace subsidy::service {

struct DecideOptions {
  eval::Selection selection;  // the programmes evaluated (empty: all)
  model::Days as_of = 0;
  bool explain = false;  // add the explanation to the JSON decision
  bool english = false;  // language of explanations
  bool text = false;     // readable explanations instead of JSON lines
};

class Decider {
 public:
  // `rs` and `writer` outlive the decider; `reader` is its own.
  Decider(const eval::Ruleset& rs, const DecisionWriter& writer, std::unique_ptr<FactReader> reader, DecideOptions options);

  enum class Outcome { decided, decided_with_errors, undecodable };
  // Decodes, evaluates and appends one record's line to `out` (its error record when it does not
  // decode: error() says why). `line` is the record's line number in its input.
  Outcome decide(std::string_view record, std::size_t readable_after, std::size_t line, std::string& out);

  // The steps one by one. read(): false when the record does not decode (error()).
  bool read(std::string_view record, std::size_t readable_after = 0);
  model::Facts& facts() { return facts_; }  // after read(): to be completed before evaluate()
  const model::Decision& evaluate();
  // The last evaluated decision; a text explanation of a record without an id is named by `line`.
  void write(std::string& out, std::size_t line = 0) const;

  const std::string& id() const { return id_; }
  const DecodeError& error() const { return err_; }
  const DecideOptions& options() const { return opt_; }

 private:
  const eval::Ruleset& rs_;
  const DecisionWriter& writer_;
  std::unique_ptr<FactReader> reader_;
  DecideOptions opt_;
  model::Facts facts_;
  model::Decision decision_;
  eval::Explanation explanation_;
  DecodeError err_;
  std::string id_;
};

}  // namespace subsidy::service
