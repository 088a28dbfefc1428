#pragma once
// The body of Bland's POST /v1/calls for one dial: the configured template (pathway_id or task,
// voice, from, voicemail, max_duration ...) merged with what the runner owns:
//   phone_number  the lead's E.164 number
//   request_data  the template's request_data + lead_id, phone_number, list_id, first_name,
//                 last_name, state, attempt_number
//   metadata      the template's metadata + lead_id, phone_number, list_id, state, lead_key,
//                 dial_seq
//                 (Bland echoes metadata in its webhook: that is how a result finds its lead)
//   webhook       the runner's public webhook URL
#include <nlohmann/json.hpp>
#include <string>

#include "core/dialer.h"
#include "runner/settings.h"

namespace redial::runner {

// Throws std::invalid_argument when the template is not an object or its request_data or
// metadata is not an object.
nlohmann::json build_call_body(const nlohmann::json& tmpl, const DialRequest& request,
                               const std::string& webhook_url);

// Start-up checks of what every dial would send (run when the queue is enabled, before anything
// starts; --check-config runs them too). Throws SettingsError naming the setting when:
//   - the call template names none of task, pathway_id, persona_id (Bland refuses such a call);
//   - its max_duration (minutes, Bland's default 30) is not a positive number, or --call-timeout
//     does not exceed max_duration plus --webhook-grace (a call would be reconciled while Bland
//     may still be talking, or before its webhook could arrive);
//   - its voicemail is not an object with an action among hangup, leave_message,
//     leave_message_and_sms, ignore (leave_message and leave_message_and_sms also need a message).
void check_dial_settings(const Settings& settings);

}  // namespace redial::runner
