#pragma once
// The JSON wire format as the application layer's codec (service/codec.hpp): FactDecoder and
// DecisionEncoder behind the FactReader / DecisionWriter interfaces.
#include "service/codec.hpp"

namespace subsidy::json {

service::Codec codec();

}  // namespace subsidy::json
