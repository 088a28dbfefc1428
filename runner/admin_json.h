#pragma once
// Small pieces every admin handler shares (admin_api, admin_actions, admin_views): the JSON
// answer, a record as the API shows it, and a checked integer query argument.
#include <nlohmann/json.hpp>
#include <string>

#include "core/lead_record.h"
#include "runner/http_server.h"

namespace redial::runner {

// 200 with the JSON body; needs_sync: answered only once the change is durable.
HttpResponse json_ok(const nlohmann::json& body, bool needs_sync = false);
// The record in the month file's fields, plus its key.
nlohmann::json record_json(const std::string& key, const LeadRecord& record);
// The query argument `name` as an integer in [lo, hi], `def` when absent; InputError naming it
// otherwise.
long number_arg(const HttpRequest& req, const char* name, long def, long lo, long hi);

}  // namespace redial::runner
