#include "service/decide.hpp"

#include <utility>

namespace subsidy::service {

Decider::Decider(const eval::Ruleset& rs, const DecisionWriter& writer, std::unique_ptr<FactReader> reader, DecideOptions options)
    : rs_(rs), writer_(writer), reader_(std::move(reader)), opt_(std::move(options)), facts_(rs.schema.facts.size()) {
  explanation_.english = opt_.english;
}

bool Decider::read(std::string_view record, std::size_t readable_after) {
  return readable_after >= reader_->padding() ? reader_->read(record, readable_after, facts_, err_, id_)
                                              : reader_->read(record, facts_, err_, id_);
}

const model::Decision& Decider::evaluate() {
  const bool want_explain = opt_.explain || opt_.text;
  eval::evaluate(rs_, facts_, opt_.as_of, decision_, &opt_.selection, want_explain ? &explanation_ : nullptr);
  return decision_;
}

void Decider::write(std::string& out, std::size_t line) const {
  if (opt_.text) {
    out += "== " + (!id_.empty() ? id_ : line ? "line " + std::to_string(line) : std::string("(no id)")) + " ==\n";
    out += eval::explain_text(rs_, decision_, explanation_, opt_.english, &opt_.selection);
    out += '\n';
    return;
  }
  writer_.write(out, id_, decision_, opt_.as_of, opt_.explain ? &explanation_ : nullptr, opt_.english, &opt_.selection);
}

Decider::Outcome Decider::decide(std::string_view record, std::size_t readable_after, std::size_t line, std::string& out) {
  if (!read(record, readable_after)) {
    writer_.write_error(out, line, id_, err_);
    return Outcome::undecodable;
  }
  evaluate();
  write(out, line);
  return decision_.errors ? Outcome::decided_with_errors : Outcome::decided;
}

}  // namespace subsidy::service
