#pragma once
// The declared facts of a ruleset: names, types, bilingual labels and their slots.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/type.hpp"

namespace subsidy::model {

struct Label {
  std::string zh;
  std::string en;
  const std::string& in(bool english) const { return english && !en.empty() ? en : zh; }
};

struct EnumValueDef {
  std::string name;
  Label label;
};

struct EnumDef {
  std::string name;
  Label label;
  std::vector<EnumValueDef> values;
  int find(std::string_view value) const {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i].name == value) return static_cast<int>(i);
    return -1;
  }
};

struct FactDef {
  std::string name;
  Type type;
  Label label;
  std::uint32_t slot = 0;  // index into Facts
  bool program_ids = false;  // set of programme ids (FactDecoder checks elements)
};

struct Schema {
  std::vector<EnumDef> enums;
  std::vector<FactDef> facts;  // facts[i].slot == i
  std::unordered_map<std::string, std::uint32_t> fact_index;
  const FactDef* find_fact(std::string_view name) const {
    auto it = fact_index.find(std::string(name));
    return it == fact_index.end() ? nullptr : &facts[it->second];
  }
  std::string type_name(const Type& t) const {
    return model::type_name(t, t.kind == Kind::Enum || t.kind == Kind::EnumSet ? enums.at(t.enum_id).name : "enum");
  }
};

}  // namespace subsidy::model
