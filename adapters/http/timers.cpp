// The timer loop of `subsidy serve` (see timers.hpp).
#include "http/timers.hpp"

#include <cctype>
#include <exception>

#include "http/authn.hpp"
#include "service/audit.hpp"
#include "store/clock.hpp"

namespace subsidy::http {

Periodic::Periodic(std::chrono::milliseconds every, std::function<void()> job)
    : every_(every), job_(std::move(job)), thread_([this] { loop(); }) {}

Periodic::~Periodic() { stop(); }

void Periodic::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Periodic::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    job_();
    lock.lock();
    wake_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

TimerLoop::TimerLoop(const Services& services, std::chrono::milliseconds every, TimerEvents events)
    : services_(services), events_(std::move(events)), periodic_(every, [this] { run_once(); }) {}

TimerLoop::~TimerLoop() { stop(); }

void TimerLoop::stop() { periodic_.stop(); }

void TimerLoop::run_once() {
  auto fail = [this](const std::string& why) {
    if (events_.failed) events_.failed(why);
  };
  try {
    auto repo = services_.pool->lease();
    const auto rules = services_.rules->current();
    try {
      const service::Env env(*rules, *repo);
      const auto report = service::advance_due(env, services_.today());
      if (services_.metrics) services_.metrics->timer_fired(report.moved.size());
      if (events_.ran) events_.ran(report);
    } catch (const store::StoreError&) {
      repo.discard();  // the connection may be broken; the next run opens another
      throw;
    }
  } catch (const store::StoreError& e) {
    fail(e.what());
  } catch (const service::ServiceError& e) {
    fail(e.code() + ": " + e.what());
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

CheckpointLoop::CheckpointLoop(const Services& services, std::chrono::milliseconds every, std::string private_pem,
                               std::string dir, CheckpointEvents events)
    : services_(services),
      every_(every),
      private_pem_(std::move(private_pem)),
      dir_(std::move(dir)),
      events_(std::move(events)),
      periodic_(every, [this] { run_once(); }) {}

void CheckpointLoop::run_once() {
  try {
    auto repo = services_.pool->lease();
    try {
      const auto fresh = every_ / 2;
      if (auto file = service::write_scheduled_checkpoint(*repo, private_pem_, dir_, store::utc_now(), fresh); file && events_.wrote)
        events_.wrote(*file);
    } catch (const store::StoreError&) {
      repo.discard();
      throw;
    }
  } catch (const std::exception& e) {
    if (events_.failed) events_.failed(e.what());
  }
}

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9 || text.size() > digits + 1) return std::nullopt;
  long long n = std::stoll(text.substr(0, digits));
  const char unit = digits < text.size() ? text[digits] : 's';
  switch (unit) {
    case 's': break;
    case 'm': n *= 60; break;
    case 'h': n *= 3600; break;
    case 'd': n *= 86400; break;
    default: return std::nullopt;
  }
  if (n <= 0) return std::nullopt;
  return std::chrono::seconds(n);
}

}  // namespace subsidy::http
