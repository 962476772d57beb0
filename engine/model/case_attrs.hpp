#pragma once
// What a workflow guard can read besides facts, parameters and tables: the decision of the case's
// programme and attributes of the case itself (docs/workflow.md). The checker types these names,
// lowering turns them into Op::CaseAttr nodes, the workflow engine supplies their values.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/type.hpp"

namespace subsidy::model {

enum class CaseAttr : std::uint8_t {
  eligible,        // bool: the programme's outcome is eligible
  decided_amount,  // money: the programme's decided amount (0 when not eligible)
  corrections,     // int: how many times the case has been returned for correction so far
};
inline constexpr std::size_t kCaseAttrCount = 3;

struct CaseAttrDef {
  std::string_view name;
  Kind kind;
};
inline constexpr CaseAttrDef kCaseAttrs[kCaseAttrCount] = {
    {"eligible", Kind::Bool},
    {"decided_amount", Kind::Money},
    {"corrections", Kind::Int},
};

}  // namespace subsidy::model
