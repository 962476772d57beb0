#pragma once
// The case, budget, awards and audit routes of `subsidy serve` (docs/service.md "Cases API"): the
// same use cases as `subsidy case|budget|awards|audit` (engine/service), with the principal of the
// request as the actor, its roles as what it may act in and see, and the JSON of adapters/json.
#include "http/handlers.hpp"

namespace subsidy::http {

// POST/GET /v1/cases, GET /v1/inbox, GET /v1/cases/{id}, GET /v1/cases/{id}/history,
// POST /v1/cases/{id}/actions, POST /v1/cases/{id}/corrections, GET /v1/budgets,
// PUT /v1/budgets/{programme}/{year}, POST /v1/budgets/{programme}/{year}/allocate,
// GET /v1/awards, POST /v1/audit/verify.
void add_case_routes(Router& router, const Services& services);

}  // namespace subsidy::http
