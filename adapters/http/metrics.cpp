// The metrics registry and GET /metrics of `subsidy serve` (see metrics.hpp).
#include "http/metrics.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "http/handlers.hpp"

namespace subsidy::http {

namespace {

// A label value in the text format: backslash, double quote and line feed escaped.
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// `name{a="x",b="y"}` (just `name` without labels); `extra` is one more label, such as le="0.5".
void append_series(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                   const std::vector<std::string>& values, std::string_view extra = {}) {
  out += name;
  if (labels.empty() && extra.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i];
    out += "=\"";
    append_label_value(out, values[i]);
    out += '"';
  }
  if (!extra.empty()) {
    if (!labels.empty()) out += ',';
    out += extra;
  }
  out += '}';
}

void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// A float as the text format writes it: the shortest form that reads back the same.
std::string number(double x) {
  std::array<char, 32> buf{};
  auto end = std::to_chars(buf.data(), buf.data() + buf.size(), x).ptr;
  return std::string(buf.data(), end);
}

// The methods of the route table; any other is counted as "other" (a client chooses the method:
// it must not choose how many series there are).
std::string_view method_label(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"})
    if (method == known) return known;
  return "other";
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {
  if (labels_.empty()) series_[{}] = 0;  // a counter without labels is always shown
}

void CounterFamily::add(const std::vector<std::string>& values, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  series_[values] += n;
}

void CounterFamily::render(std::string& out) const {
  append_header(out, name_, help_, "counter");
  std::lock_guard lock(mutex_);
  for (const auto& [values, n] : series_) {
    append_series(out, name_, labels_, values);
    out += ' ';
    out += std::to_string(n);
    out += '\n';
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                                 std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds)) {}

void HistogramFamily::observe(const std::vector<std::string>& values, double x) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && x > bounds_[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  auto& s = series_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  ++s.buckets[bucket];
  s.sum += x;
  ++s.count;
}

void HistogramFamily::render(std::string& out) const {
  append_header(out, name_, help_, "histogram");
  std::lock_guard lock(mutex_);
  for (const auto& [values, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      append_series(out, name_ + "_bucket", labels_, values,
                    "le=\"" + (i < bounds_.size() ? number(bounds_[i]) : std::string("+Inf")) + "\"");
      out += ' ';
      out += std::to_string(cumulative);
      out += '\n';
    }
    append_series(out, name_ + "_sum", labels_, values);
    out += ' ';
    out += number(s.sum);
    out += '\n';
    append_series(out, name_ + "_count", labels_, values);
    out += ' ';
    out += std::to_string(s.count);
    out += '\n';
  }
}

Metrics::Metrics()
    : requests_("subsidy_http_requests_total", "HTTP requests answered, by route pattern, method and status.",
                {"route", "method", "status"}),
      durations_("subsidy_http_request_duration_seconds",
                 "Seconds from a request's first byte to its response's last byte, by route pattern.", {"route"},
                 {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
      decisions_("subsidy_decisions_total", "Programme decisions made by POST /v1/decisions, by programme and outcome.",
                 {"programme", "outcome"}),
      undecodable_("subsidy_undecodable_records_total",
                   "Applicants sent to POST /v1/decisions that could not be decoded (an error record, or a 400).", {}),
      timers_("subsidy_timers_fired_total", "Workflow timers fired by this instance.", {}),
      logins_("subsidy_login_failures_total", "Failed logins (wrong credentials or throttled).", {}),
      reloads_("subsidy_rules_reloads_total", "Reloads of the rules (SIGHUP or POST /v1/admin/reload), by result.",
               {"result"}) {
  reloads_.add({"ok"}, 0);
  reloads_.add({"failed"}, 0);
}

void Metrics::request(std::string_view route, std::string_view method, unsigned status, double seconds) {
  std::string r = route.empty() ? std::string("unmatched") : std::string(route);
  requests_.add({r, std::string(method_label(method)), std::to_string(status)});
  durations_.observe({std::move(r)}, seconds);
}

void Metrics::decisions(const std::string& programme, const std::string& outcome, std::uint64_t n) {
  decisions_.add({programme, outcome}, n);
}
void Metrics::undecodable(std::uint64_t n) { undecodable_.add({}, n); }
void Metrics::timer_fired(std::uint64_t n) { timers_.add({}, n); }
void Metrics::login_failed() { logins_.add({}); }
void Metrics::rules_reloaded(bool ok) { reloads_.add({ok ? "ok" : "failed"}); }

std::string Metrics::render(std::string_view ruleset_hash) const {
  std::string out;
  requests_.render(out);
  durations_.render(out);
  decisions_.render(out);
  undecodable_.render(out);
  timers_.render(out);
  logins_.render(out);
  reloads_.render(out);
  append_header(out, "subsidy_ruleset_info", "The ruleset being served (its hash), always 1.", "gauge");
  append_series(out, "subsidy_ruleset_info", {"hash"}, {std::string(ruleset_hash)});
  out += " 1\n";
  return out;
}

void add_metrics_routes(Router& router, const Services& services) {
  router.add("GET", "/metrics", [&services](Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = services.metrics->render(services.rules->current()->hash());
    return r;
  });
}

}  // namespace subsidy::http
