#pragma once
// The timers of `subsidy serve --timers-every SECONDS` (docs/service.md "Operations"): a background
// thread that, once at start and then every period, moves every case whose 公示 or correction
// period has ended (service::advance_due) with the ruleset served at that moment, a pooled
// connection and the workflow date Services::today. Several instances on one PostgreSQL fire each
// timer once: advance_due moves a case under its row lock and skips one another run holds.
// And the checkpoints of `serve --checkpoint-every DURATION --checkpoint-key FILE --checkpoint-dir
// DIR` (docs/storage.md §4): service::write_scheduled_checkpoint each period; several instances
// sharing DIR write one chain (the first to take the next number writes it, the others skip).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "http/handlers.hpp"
#include "service/advance.hpp"

namespace subsidy::http {

struct TimerEvents {
  std::function<void(const service::AdvanceReport&)> ran;  // after each run (may be empty)
  std::function<void(const std::string&)> failed;          // a run that stopped on an error (may be empty)
};

// A thread that runs `job` at start and then every `every` until stop().
class Periodic {
 public:
  Periodic(std::chrono::milliseconds every, std::function<void()> job);
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;
  ~Periodic();
  // Wakes the thread and waits until it ends; a run in progress finishes first.
  void stop();

 private:
  void loop();

  std::chrono::milliseconds every_;
  std::function<void()> job_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
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
  void run_once();

  const Services& services_;
  TimerEvents events_;
  Periodic periodic_;  // last: its thread starts once the members above exist
};

struct CheckpointEvents {
  std::function<void(const std::string&)> wrote;   // the file written (may be empty)
  std::function<void(const std::string&)> failed;  // a run that failed (may be empty)
};

// Every `every`: a checkpoint in `dir` signed with `private_pem` (read once at start, never
// stored), through a pooled connection; skipped when the newest in `dir` is younger than half a
// period (another instance wrote it).
class CheckpointLoop {
 public:
  CheckpointLoop(const Services& services, std::chrono::milliseconds every, std::string private_pem, std::string dir,
                 CheckpointEvents events);
  void stop() { periodic_.stop(); }

 private:
  void run_once();

  const Services& services_;
  std::chrono::milliseconds every_;
  std::string private_pem_, dir_;
  CheckpointEvents events_;
  Periodic periodic_;
};

// "90", "90s", "15m", "6h", "1d" → seconds; nullopt for anything else or zero.
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

}  // namespace subsidy::http
