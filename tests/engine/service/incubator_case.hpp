#pragma once
// Shared by the visibility tests: the incubator application of tests/cli/data (R14, competitive
// workflow, 临河区, agriculture) with another id, county, zone and industry, and a principal that
// holds the given roles with the read scope.
#include <string>
#include <utility>
#include <vector>

#include "engine/service/source_file.hpp"
#include "service/auth.hpp"

namespace subsidy::service::testing_cases {

inline std::string incubator_facts(const std::string& id, const std::string& county, bool in_zone = false,
                                   const std::string& industry = "agriculture") {
  std::string f = testing_files::read("tests/cli/data/incubator-agri-corrected.json");
  auto put = [&f](const std::string& from, const std::string& to) { f.replace(f.find(from), from.size(), to); };
  put("APP-2024-0001", id);
  put("\"临河区\"", "\"" + county + "\"");
  if (in_zone) put("\"in_agri_hightech_zone\": false", "\"in_agri_hightech_zone\": true");
  put("\"industry\": \"agriculture\"", "\"industry\": \"" + industry + "\"");
  return f;
}

inline service::Principal holding(std::vector<std::string> roles) {
  service::Principal p;
  p.user.name = "u";
  p.roles = std::move(roles);
  p.scopes = {service::Scope::read};
  return p;
}

}  // namespace subsidy::service::testing_cases
