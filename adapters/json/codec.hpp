#pragma once
// The JSON wire format as the application layer's codec (service/codec.hpp): FactDecoder and
// DecisionEncoder behind the FactReader / DecisionWriter interfaces.
#include "service/codec.hpp"

namespace subsidy::json {

struct CodecOptions {
  bool fast_decode = true;  // FactDecoder's fast path (off: a diagnostic; the output is the same)
  bool summary = false;     // decisions as DecisionEncoder::append_summary (`evaluate --output summary`);
                            // explanations are then not written
};

service::Codec codec(CodecOptions options = {});

}  // namespace subsidy::json
