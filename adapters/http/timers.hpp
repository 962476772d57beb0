#pragma once
// The timers of `subsidy serve --timers-every SECONDS` (docs/service.md "Operations"): a background
// thread that, once at start and then every period, moves every case whose 公示 or correction
// period has ended (service::advance_due) with the ruleset served at that moment, a pooled
// connection and the workflow date Services::today. Several instances on one PostgreSQL fire each
// timer once: advance_due moves a case under its row lock and skips one another run holds.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "http/handlers.hpp"
#include "service/advance.hpp"

namespace subsidy::http {

struct TimerEvents {
  std::function<void(const service::AdvanceReport&)> ran;  // after each run (may be empty)
  std::function<void(const std::string&)> failed;          // a run that stopped on an error (may be empty)
};

class TimerLoop {
 public:
  // Starts the thread; `services.pool` must be set (timers need the case database).
  TimerLoop(const Services& services, std::chrono::milliseconds every, TimerEvents events);
  TimerLoop(const TimerLoop&) = delete;
  TimerLoop& operator=(const TimerLoop&) = delete;
  ~TimerLoop();
  // Wakes the thread and waits until it ends; a run in progress finishes first (each of its
  // batches is one transaction, so nothing is left half-moved).
  void stop();

 private:
  void loop();
  void run_once();

  const Services& services_;
  std::chrono::milliseconds every_;
  TimerEvents events_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace subsidy::http
