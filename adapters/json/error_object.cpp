#include "json/error_object.hpp"

#include <boost/json.hpp>

namespace subsidy::json {

std::string error_object(std::string_view kind, std::string_view code, std::string_view message, const service::Details& details) {
  boost::json::object d;
  for (const auto& [k, v] : details) d[k] = v;
  boost::json::object err;
  err["kind"] = kind;
  err["code"] = code;
  err["message"] = message;
  err["details"] = std::move(d);
  boost::json::object o;
  o["error"] = std::move(err);
  return boost::json::serialize(o);
}

}  // namespace subsidy::json
