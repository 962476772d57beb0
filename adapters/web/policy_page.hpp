#pragma once
// The rules page of policy staff (internal to adapters/web; docs/officer.md "The rules page"):
//   GET  /desk/rules           the published versions and the draft form
//   POST /desk/rules/diff      the diff of the draft (the served rules with one file pasted or
//                              uploaded in place, or added) against the served rules
//   POST /desk/rules/whatif    the what-if of that draft over the stored cases (or an uploaded
//                              population): the self-contained HTML report, in a new tab
//   POST /desk/rules/publish   a confirmation page with the diff and a note, then (confirm=1) the
//                              publication, served from then on
// Every one needs the policy scope (the roles `policy` and `admin`): 403 for others. POSTs carry
// the session's CSRF token (session.hpp).
#include "http/handlers.hpp"

namespace subsidy::web {

void add_policy_page_routes(http::Router& router, const http::Services& services);

}  // namespace subsidy::web
