// POST /v1/decisions (see handlers.hpp and docs/service.md): one applicant, or a JSON Lines body
// streamed through service::run_batch as it arrives (the response streamed back, chunked), with the
// same bytes as `subsidy evaluate`.
#include <boost/url.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>

#include "http/authn.hpp"
#include "http/handlers.hpp"
#include "http/metrics.hpp"
#include "model/date.hpp"
#include "service/batch.hpp"
#include "service/decide.hpp"

namespace subsidy::http {

namespace {

constexpr const char* kJsonLines = "application/x-ndjson";

// Writes through `inner` and counts what it writes for /metrics: decisions by programme and
// outcome, error records. The batch's worker threads share it, each counting in its own shard
// (by thread id) with relaxed atomics; the tallies go to the registry when it is destroyed.
class CountingWriter final : public service::DecisionWriter {
 public:
  CountingWriter(const service::DecisionWriter& inner, const eval::Ruleset& rs, Metrics& metrics)
      : inner_(inner), rs_(rs), metrics_(metrics), width_(rs.programs.size() * kOutcomes) {
    for (auto& shard : shards_) shard.counts = std::make_unique<std::atomic<std::uint64_t>[]>(width_);
  }
  CountingWriter(std::unique_ptr<service::DecisionWriter> owned, const eval::Ruleset& rs, Metrics& metrics)
      : CountingWriter(*owned, rs, metrics) {
    owned_ = std::move(owned);
  }
  CountingWriter(const CountingWriter&) = delete;
  CountingWriter& operator=(const CountingWriter&) = delete;
  ~CountingWriter() override {
    std::uint64_t undecodable = 0;
    for (const auto& shard : shards_) undecodable += shard.undecodable.load(std::memory_order_relaxed);
    if (undecodable) metrics_.undecodable(undecodable);
    for (std::size_t p = 0; p < rs_.programs.size(); ++p)
      for (std::size_t o = 0; o < kOutcomes; ++o) {
        std::uint64_t n = 0;
        for (const auto& shard : shards_) n += shard.counts[p * kOutcomes + o].load(std::memory_order_relaxed);
        if (n) metrics_.decisions(rs_.programs[p].id, model::outcome_name(static_cast<model::Outcome>(o)), n);
      }
  }

  void write(std::string& out, std::string_view id, const model::Decision& d, model::Days as_of, const eval::Explanation* ex,
             bool english, const eval::Selection* selection) const override {
    inner_.write(out, id, d, as_of, ex, english, selection);
    auto& counts = shard().counts;
    const bool all = !selection || selection->empty();
    for (std::size_t p = 0; p < d.programs.size(); ++p)
      if (all || (*selection)[p])
        counts[p * kOutcomes + static_cast<std::size_t>(d.programs[p].outcome)].fetch_add(1, std::memory_order_relaxed);
  }
  void write_error(std::string& out, std::size_t line, std::string_view id, const service::DecodeError& err) const override {
    inner_.write_error(out, line, id, err);
    shard().undecodable.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kOutcomes = static_cast<std::size_t>(model::Outcome::capped) + 1;
  static constexpr std::size_t kShards = 8;
  struct alignas(64) Shard {
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts;
    std::atomic<std::uint64_t> undecodable{0};
  };
  Shard& shard() const { return shards_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % kShards]; }

  std::unique_ptr<service::DecisionWriter> owned_;
  const service::DecisionWriter& inner_;
  const eval::Ruleset& rs_;
  Metrics& metrics_;
  std::size_t width_;
  mutable std::array<Shard, kShards> shards_;
};

Response bad_query(std::string_view message, std::string_view param) {
  return error_response(400, "usage", "bad_query", message, {{"parameter", std::string(param)}});
}

Response decide(std::shared_ptr<const service::PreparedRules> prepared, const std::shared_ptr<Metrics>& metrics,
                const Request& req) {
  const auto& rules = *prepared;
  const auto& rs = rules.ruleset();
  service::DecideOptions opt;
  opt.as_of = model::today_cst();
  auto params = boost::urls::parse_query(req.query);
  if (!params) return bad_query("the query string cannot be parsed", "");
  for (const auto& p : boost::urls::params_view(*params)) {
    const std::string& key = p.key;
    const std::string& value = p.value;
    if (key == "explain") {
      if (value == "1" || value == "true" || (value.empty() && !p.has_value))
        opt.explain = true;
      else if (value == "0" || value == "false")
        opt.explain = false;
      else
        return bad_query("explain is 1 or 0, not `" + value + "`", key);
    } else if (key == "lang") {
      if (value != "zh" && value != "en") return bad_query("lang is zh or en, not `" + value + "`", key);
      opt.english = value == "en";
    } else if (key == "as_of") {
      auto d = model::parse_date(value);
      if (!d) return bad_query("as_of is a date YYYY-MM-DD, not `" + value + "`", key);
      opt.as_of = *d;
    } else if (key == "program") {
      int i = rs.find_program(value);
      if (i < 0) {
        std::string known;
        for (const auto& prog : rs.programs) known += " " + prog.id;
        return error_response(400, "usage", "unknown_programme",
                              "unknown programme `" + value + "`; the ruleset has:" + known, {{"programme", value}});
      }
      if (opt.selection.empty()) opt.selection.assign(rs.programs.size(), 0);
      opt.selection[static_cast<std::size_t>(i)] = 1;
    } else {
      return bad_query("unknown query parameter `" + key + "` (explain, lang, as_of, program)", key);
    }
  }
  const std::string type = media_type(req.content_type);
  if (type == "application/json") {
    CountingWriter writer(rules.writer(), rs, *metrics);
    service::Decider decider(rs, writer, rules.codec().reader(rs, {&opt.selection}), opt);
    Response res;
    if (decider.decide(req.body, 0, 1, res.body) == service::Decider::Outcome::undecodable) {
      const auto& err = decider.error();
      std::vector<std::pair<std::string, std::string>> details;
      if (!err.field.empty()) details.emplace_back("field", err.field);
      if (err.offset != service::DecodeError::kNoOffset) details.emplace_back("offset", std::to_string(err.offset));
      return error_response(400, "input", err.code, err.message, details);
    }
    return res;
  }
  if (type == kJsonLines) {
    service::BatchOptions bo;
    bo.selection = opt.selection;
    bo.as_of = opt.as_of;
    bo.explain = opt.explain;
    bo.english = opt.english;
    Response res;
    res.content_type = kJsonLines;
    // The ruleset is the one the request started with, even when a reload replaces it meanwhile.
    res.stream = [prepared = std::move(prepared), metrics, bo](service::ByteSource& in, service::ByteSink& out,
                                                               unsigned workers) mutable {
      bo.jobs = workers;
      const service::Codec counting{prepared->codec().reader, [&](const eval::Ruleset& ruleset) {
                                      return std::make_unique<CountingWriter>(prepared->codec().writer(ruleset), ruleset,
                                                                              *metrics);
                                    }};
      service::run_batch(prepared->ruleset(), counting, bo, in, out);
    };
    return res;
  }
  return error_response(415, "usage", "unsupported_media_type",
                        "POST /v1/decisions takes application/json (one applicant) or application/x-ndjson (JSON Lines), not `" +
                            (type.empty() ? std::string("(none)") : type) + "`",
                        {{"content_type", type}});
}

}  // namespace

void add_decision_routes(Router& router, const Services& services) {
  router.add(
      "POST", "/v1/decisions", [&services](Request& req) {
        return with_scope(services, req, service::Scope::decide, [&] {
          auto rules = services.rules->current();  // what decides this request, even when a reload replaces it meanwhile
          std::string hash = rules->hash();
          Response res = decide(std::move(rules), services.metrics, req);
          res.headers.emplace_back(kRulesetHashHeader, std::move(hash));
          return res;
        });
      },
      kJsonLines);
}

}  // namespace subsidy::http
