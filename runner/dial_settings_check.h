#pragma once
// The runner's start-up checks of the call template against its settings (issue 14).
#include "runner/settings.h"

namespace redial::runner {

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
