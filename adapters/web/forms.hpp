#pragma once
// The applicant's facts as form fields (internal to adapters/web): generated from the fact schema
// of the rules (labels, enum choices, booleans), for submitting and for corrections, and read back
// into the facts JSON the API takes — whose decoder then validates it as it validates the API's.
#include <boost/json.hpp>

#include <string>

#include "web/session.hpp"

namespace subsidy::web {

// The fields of every declared fact (an `id` field first), filled from `current` (a facts object,
// may be null), with `error` shown at the field named `error_field`.
std::string fact_fields_html(const Visit& v, const boost::json::object* current, const std::string& error_field,
                             const std::string& error);
// The facts JSON of the form's `f.NAME` fields: empty fields left out; booleans, whole numbers and
// decimals as JSON values, sets split at commas, everything else (money in yuan, dates, text, enum
// values) as strings, so the decoder names the field of a wrong value.
std::string facts_json_of(const Visit& v, const Form& form);

}  // namespace subsidy::web
