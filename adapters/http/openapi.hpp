#pragma once
// The OpenAPI 3.1 document of `subsidy serve` (adapters/http/openapi.json, embedded at build time)
// and the route that serves it. tests/adapters/http/openapi_test.cpp checks it against the route
// table in both directions: every route documented with its method, every documented operation routed.
#include <string_view>

#include "http/router.hpp"

namespace subsidy::http {

// The document, as written in openapi.json.
std::string_view openapi_document();

// GET /openapi.json (no credentials).
void add_openapi_routes(Router& router);

}  // namespace subsidy::http
