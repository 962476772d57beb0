#pragma once
// The metrics of `subsidy serve` (GET /metrics, docs/service.md "Metrics and logs"): a small
// registry of counters and histograms with labels, written in the Prometheus text format 0.0.4 by
// hand. prometheus-cpp does not fit: it brings its own HTTP server (civetweb) or a pull interface
// that expects to own the exposition, where here /metrics is one more route of the Beast server.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"

namespace subsidy::http {

struct Services;

// Counters of one name, one per combination of label values.
class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels);
  // Adds `n` to the series of these label values (one per label, in order); n = 0 creates it.
  void add(const std::vector<std::string>& values, std::uint64_t n = 1);
  void render(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::uint64_t> series_;
};

// Histograms of one name (cumulative buckets, sum and count), one per combination of label values.
class HistogramFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds);
  void observe(const std::vector<std::string>& values, double x);
  void render(std::string& out) const;

 private:
  struct Series {
    std::vector<std::uint64_t> buckets;  // per bound, not cumulative; the last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, Series> series_;
};

// Every metric of the service. Thread-safe; the entry points are called by the server (request),
// the decisions routes, the timers (timer_fired), the login route (login_failed) and reloads.
class Metrics {
 public:
  Metrics();
  // One answered request: the route pattern ("" none matched), the method, the status, the seconds
  // from its first byte to its last response byte.
  void request(std::string_view route, std::string_view method, unsigned status, double seconds);
  // Decisions of one programme with one outcome (model::outcome_name), and records that did not decode.
  void decisions(const std::string& programme, const std::string& outcome, std::uint64_t n);
  void undecodable(std::uint64_t n);
  void timer_fired(std::uint64_t n = 1);
  void login_failed();
  void rules_reloaded(bool ok);
  // The exposition; `ruleset_hash` labels subsidy_ruleset_info.
  std::string render(std::string_view ruleset_hash) const;

 private:
  CounterFamily requests_;
  HistogramFamily durations_;
  CounterFamily decisions_, undecodable_, timers_, logins_, reloads_;
};

// GET /metrics (no credentials: it names no user, no case and no secret).
void add_metrics_routes(Router& router, const Services& services);

}  // namespace subsidy::http
