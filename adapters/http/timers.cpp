// The timer loop of `subsidy serve` (see timers.hpp).
#include "http/timers.hpp"

#include <exception>

#include "http/authn.hpp"

namespace subsidy::http {

TimerLoop::TimerLoop(const Services& services, std::chrono::milliseconds every, TimerEvents events)
    : services_(services), every_(every), events_(std::move(events)), thread_([this] { loop(); }) {}

TimerLoop::~TimerLoop() { stop(); }

void TimerLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TimerLoop::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    run_once();
    lock.lock();
    wake_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

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

}  // namespace subsidy::http
