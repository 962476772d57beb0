#include "json/codec.hpp"

#include "json/decision_encoder.hpp"
#include "json/fact_decoder.hpp"

namespace subsidy::json {

namespace {

class Reader final : public service::FactReader {
 public:
  Reader(const eval::Ruleset& rs, const eval::FactUse& use, bool fast) : dec_(rs, use, fast) {}
  std::size_t padding() const override { return FactDecoder::kPadding; }
  bool read(std::string_view record, model::Facts& out, DecodeError& err, std::string& id) override {
    return dec_.decode(record, out, err, id);
  }
  bool read(std::string_view record, std::size_t readable_after, model::Facts& out, DecodeError& err,
            std::string& id) override {
    return dec_.decode(record, readable_after, out, err, id);
  }

 private:
  FactDecoder dec_;
};

class Writer final : public service::DecisionWriter {
 public:
  Writer(const eval::Ruleset& rs, bool summary) : enc_(rs), summary_(summary) {}
  void write(std::string& out, std::string_view id, const model::Decision& d, model::Days as_of, const eval::Explanation* ex,
             bool english, const eval::Selection* selection) const override {
    if (summary_)
      enc_.append_summary(out, id, d, selection);
    else
      enc_.append_json(out, id, d, as_of, ex, english, selection);
  }
  void write_error(std::string& out, std::size_t line, std::string_view id, const DecodeError& err) const override {
    DecisionEncoder::append_error(out, line, id, err);
  }

 private:
  DecisionEncoder enc_;
  bool summary_;
};

}  // namespace

service::Codec codec(CodecOptions o) {
  return {[o](const eval::Ruleset& rs, const eval::FactUse& use) -> std::unique_ptr<service::FactReader> {
            return std::make_unique<Reader>(rs, use, o.fast_decode);
          },
          [o](const eval::Ruleset& rs) -> std::unique_ptr<service::DecisionWriter> {
            return std::make_unique<Writer>(rs, o.summary);
          }};
}

}  // namespace subsidy::json
