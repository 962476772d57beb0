// GET /openapi.json (see openapi.hpp).
#include "http/openapi.hpp"

#include <string>

namespace subsidy::http {

void add_openapi_routes(Router& router) {
  router.add("GET", "/openapi.json", [](Request&) {
    Response r;
    r.body = std::string(openapi_document());
    return r;
  });
}

}  // namespace subsidy::http
