#pragma once
// The case page of the desk and its forms (internal to adapters/web): GET /desk/cases/{id},
// POST /desk/cases/{id}/act (with its confirmation page), POST /desk/cases/{id}/correct and
// GET /desk/cases/{id}/history.json.
#include "http/handlers.hpp"

namespace subsidy::web {

void add_case_page_routes(http::Router& router, const http::Services& services);

}  // namespace subsidy::web
