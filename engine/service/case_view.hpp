#pragma once
// What a page over one case needs besides the queries (queries.hpp): the explanation of its
// decision as structured data, and the role a principal takes a step in. Shared by the HTTP API
// (adapters/http/case_routes.cpp) and the officer's desk (adapters/web).
#include <optional>
#include <string>
#include <vector>

#include "model/date.hpp"
#include "service/auth.hpp"
#include "service/cases.hpp"
#include "store/case.hpp"

namespace subsidy::service {

// The case's decision as the JSON decision writer encodes it with its explanation fields
// (docs/integration.md: per programme the requirements met or not, reasons with their clause,
// parameters with value, valid-from and status, tables, amount steps; caps and groups), made as
// explain_decision makes the text. None without a decision.
std::optional<std::string> explain_decision_json(const Env& env, const store::Case& c, bool english);

// The roles of `who` that the case's workflow knows (not `admin`, nor roles of other rules).
std::vector<std::string> workflow_roles(const Env& env, const store::Case& c, const Principal& who);

// The role a step is taken in (docs/service.md "Cases API"): the one named (which `who` must hold),
// else the one role of `who` that may take the action now. A step the workflow offers now only to
// roles `who` does not hold (or not in the role named) is refused/forbidden naming who may take it;
// several candidates are usage/role_required listing them. A step nobody may take now goes to the
// workflow with the role named or the one role held, which refuses it with its reason.
std::string acting_role(const Env& env, const store::Case& c, const Principal& who, const std::string& action,
                        const std::optional<std::string>& named, model::Days date);

}  // namespace subsidy::service
