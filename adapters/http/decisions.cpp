// POST /v1/decisions (see handlers.hpp and docs/service.md): one applicant, or JSON Lines through
// service::run_batch, with the same bytes as `subsidy evaluate`.
#include <boost/url.hpp>

#include <cctype>
#include <string_view>

#include "http/handlers.hpp"
#include "model/date.hpp"
#include "service/batch.hpp"
#include "service/decide.hpp"

namespace subsidy::http {

namespace {

// The media type of a Content-Type header, lower-case, without parameters.
std::string media_type(std::string_view header) {
  header = header.substr(0, header.find(';'));
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  std::string out(header);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class StringSource final : public service::ByteSource {
 public:
  explicit StringSource(std::string_view s) : s_(s) {}
  std::size_t read(char* buf, std::size_t n) override {
    const std::size_t got = s_.copy(buf, n);
    s_.remove_prefix(got);
    return got;
  }
  std::string error() const override { return {}; }

 private:
  std::string_view s_;
};

class StringSink final : public service::ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  bool write(std::string_view bytes) override {
    out_ += bytes;
    return true;
  }
  std::string error() const override { return {}; }

 private:
  std::string& out_;
};

Response bad_query(std::string_view message, std::string_view param) {
  return error_response(400, "usage", "bad_query", message, {{"parameter", std::string(param)}});
}

Response decide(const service::PreparedRules& rules, const Request& req) {
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
    service::Decider decider(rs, rules.writer(), rules.codec().reader(rs, {&opt.selection}), opt);
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
  if (type == "application/x-ndjson") {
    service::BatchOptions bo;
    bo.selection = opt.selection;
    bo.as_of = opt.as_of;
    bo.explain = opt.explain;
    bo.english = opt.english;
    StringSource in(req.body);
    Response res;
    res.content_type = "application/x-ndjson";
    StringSink out(res.body);
    auto r = service::run_batch(rs, rules.codec(), bo, in, out);
    if (!r.io_error.empty()) return error_response(500, "internal", "io_error", r.io_error);
    return res;
  }
  return error_response(415, "usage", "unsupported_media_type",
                        "POST /v1/decisions takes application/json (one applicant) or application/x-ndjson (JSON Lines), not `" +
                            (type.empty() ? std::string("(none)") : type) + "`",
                        {{"content_type", type}});
}

}  // namespace

void add_decision_routes(Router& router, const Services& services) {
  router.add("POST", "/v1/decisions", [&services](Request& req) {
    auto rules = services.rules->current();
    return decide(*rules, req);
  });
}

}  // namespace subsidy::http
