#pragma once
// The body of Bland's POST /v1/calls for one dial: the configured template (pathway_id or task,
// voice, from, voicemail, max_duration ...) merged with what the dialer owns:
//   phone_number  the lead's E.164 number
//   request_data  the template's request_data + lead_id, phone_number, list_id, first_name,
//                 last_name, state, attempt_number
//   metadata      the template's metadata + lead_id, phone_number, list_id, state, lead_key,
//                 dial_seq
//                 (Bland echoes metadata in its webhook: that is how a result finds its lead)
//   webhook       the public webhook URL (the runner's)
#include <nlohmann/json.hpp>
#include <string>

#include "core/dialer.h"

namespace redial::bland {

// Throws std::invalid_argument when the template is not an object or its request_data or
// metadata is not an object.
nlohmann::json build_call_body(const nlohmann::json& tmpl, const DialRequest& request,
                               const std::string& webhook_url);

}  // namespace redial::bland
