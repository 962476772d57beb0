// Fuzz target `case_state`: the CaseState JSON reader (engine/workflow/case_state.cpp) on arbitrary
// bytes. A refusal must say why; an accepted state must survive to_json → case_state_from_json
// unchanged (and print the same text again). Any violation traps, so libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "workflow/case_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace subsidy;
  std::string error;
  auto state = workflow::case_state_from_json(std::string_view(reinterpret_cast<const char*>(data), size), &error);
  if (!state) {
    if (error.empty()) __builtin_trap();  // refused without a reason
    return 0;
  }
  const std::string text = workflow::to_json(*state);
  std::string again_error;
  auto again = workflow::case_state_from_json(text, &again_error);
  if (!again || !(*again == *state) || workflow::to_json(*again) != text) __builtin_trap();  // no round trip
  return 0;
}
