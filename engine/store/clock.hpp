#pragma once
// Timestamps the repositories stamp on rows: UTC, ISO-8601, second precision ("…T08:30:00Z").
#include <chrono>
#include <functional>
#include <string>

namespace subsidy::store {

using Clock = std::function<std::string()>;

std::string format_utc(std::chrono::system_clock::time_point t);
std::string utc_now();  // format_utc(system_clock::now())

}  // namespace subsidy::store
