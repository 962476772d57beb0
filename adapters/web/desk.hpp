#pragma once
// The officer's desk (issue 11, docs/service.md "The desk"): server-rendered HTML pages under /desk
// served by `subsidy serve` — login, inbox, case page with its steps, budgets, audit, submitting —
// over the same application layer and authorization as the JSON API. Templates (kainjow Mustache)
// and the stylesheet are embedded in the binary; no HTTP library here (adapters/http/router.hpp only).
#include "http/handlers.hpp"

namespace subsidy::web {

// Adds every /desk route (pushed onto http::Services::extra_routes by cli/cmd_serve.cpp).
void add_desk_routes(http::Router& router, const http::Services& services);

}  // namespace subsidy::web
