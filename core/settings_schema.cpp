// The settings table (see settings_schema.h). One entry per setting; the parsers are in
// settings_parse.cpp, the generated docs in settings_docs.cpp.
#include "core/settings_schema.h"

#include <algorithm>
#include <type_traits>

#include "core/errors.h"
#include "core/rule_tables.h"

namespace redial {
namespace {

using T = SettingType;

// Sets the member M by the type of the member and of the setting.
template <auto M>
void set(RedialPolicy& p, const SettingSpec& s, std::string_view text, bool /*is_default*/) {
  using V = std::remove_reference_t<decltype(p.*M)>;
  if constexpr (std::is_same_v<V, bool>) {
    p.*M = parse_setting_bool(s, text);
  } else if constexpr (std::is_same_v<V, int>) {
    p.*M = s.type == T::kTimeOfDay ? parse_setting_time_of_day_s(s, text)
                                   : static_cast<int>(parse_setting_int(s, text));
  } else if constexpr (std::is_same_v<V, TimeMs>) {
    p.*M = parse_setting_duration(s, text);
  } else if constexpr (std::is_same_v<V, std::uint8_t>) {
    p.*M = parse_setting_weekdays(s, text);
  } else if constexpr (std::is_same_v<V, std::string>) {
    p.*M = std::string(text);
  } else if constexpr (std::is_same_v<V, std::vector<TimeMs>>) {
    p.*M = parse_setting_durations(s, text);
  } else {
    static_assert(std::is_same_v<V, std::vector<std::string>>);
    p.*M = parse_setting_list(s, text);
  }
}

// Added to known_outcomes (after known-outcomes, which comes first in the table).
void set_extra_outcomes(RedialPolicy& p, const SettingSpec& s, std::string_view text, bool) {
  for (auto& o : parse_setting_list(s, text)) p.known_outcomes.push_back(std::move(o));
}

// The default rules, then the named outcomes merged over them: naming BUSY keeps
// DO_NOT_CONTACT=dnc (replacing them made do-not-call an ordinary retry). A default whose outcome
// is a success outcome is dropped (a success has no rule); one the user names for a success is
// kept, for validate() to refuse.
void set_outcome_rules(RedialPolicy& p, const SettingSpec& s, std::string_view text,
                       bool is_default) {
  auto rules = parse_outcome_rules(text, s.name);
  if (is_default) p.outcome_rules = std::move(rules);
  std::erase_if(p.outcome_rules, [&](const auto& kv) { return p.is_success(kv.first); });
  if (!is_default)
    for (auto& [name, rule] : rules) p.outcome_rules[name] = std::move(rule);
}

void check_cap_override(const SettingSpec& s, std::string_view text) {
  StateRuleTable().apply_cap_overrides(text, s.name);
}

constexpr long long kNoMax = 0;
constexpr const char* kQueue = "queue";
constexpr const char* kRules = "calling-rules";
constexpr const char* kRunner = "runner";

// clang-format off
const SettingSpec kSchema[] = {
    // ---- the queue ----
    {"queue-enabled", "REDIAL_QUEUE_ENABLED", "enabled", T::kBool, "true", kQueue,
     "Ticks dial only when true (results are always recorded)", &set<&RedialPolicy::enabled>},
    {"process-interval", "REDIAL_PROCESS_INTERVAL", "process_interval_minutes", T::kDuration, "5",
     kQueue, "Time between queue ticks; a tick also runs at start",
     &set<&RedialPolicy::process_interval_ms>, kMinuteMs, kSecondMs, kNoMax},
    {"max-attempts", "REDIAL_MAX_ATTEMPTS", "max_attempts", T::kInt, "8", kQueue,
     "Results recorded before the lead becomes max_attempts", &set<&RedialPolicy::max_attempts>,
     0, 1, 1000},
    {"progressive-intervals", "REDIAL_PROGRESSIVE_INTERVALS", "progressive_intervals",
     T::kDurationList, "0,0,5,10,30,60,120", kQueue,
     "Wait after the k-th result; the last value repeats",
     &set<&RedialPolicy::progressive_intervals_ms>, kMinuteMs},
    {"min-wait", "REDIAL_MIN_WAIT", "min_wait_minutes", T::kDuration, "2", kQueue,
     "No wait after a result is shorter than this", &set<&RedialPolicy::min_wait_ms>, kMinuteMs},
    {"success-outcomes", "REDIAL_SUCCESS_OUTCOMES", "success_outcomes", T::kOutcomeList,
     "TRANSFERRED", kQueue, "Outcomes that complete a lead",
     &set<&RedialPolicy::success_outcomes>},
    {"stop-outcomes", "REDIAL_STOP_OUTCOMES", "stop_outcomes", T::kOutcomeList, "", kQueue,
     "Outcomes that complete a lead: never called again (same as OUTCOME=never in outcome-rules)",
     &set<&RedialPolicy::stop_outcomes>},
    {"known-outcomes", "REDIAL_KNOWN_OUTCOMES", "known_outcomes", T::kOutcomeList,
     "VOICEMAIL,NO_ANSWER,BUSY,FAILED,CALL_BACK_SCHEDULED,HUNG_UP,NOT_INTERESTED,ANSWERED,CANCELED,"
     "UNKNOWN,TRANSFER_FAILED,BAD_NUMBER", kQueue,
     "The other accepted (not final) outcomes; a result with an outcome in no list is rejected",
     &set<&RedialPolicy::known_outcomes>},
    {"extra-outcomes", "REDIAL_EXTRA_OUTCOMES", "extra_outcomes", T::kOutcomeList, "", kQueue,
     "Further outcomes accepted as not final (your disposition tags), added to known-outcomes",
     &set_extra_outcomes},
    {"time-zone", "REDIAL_TIME_ZONE", "business_hours.time_zone", T::kText, "America/New_York",
     kQueue, "The business time zone (tz database name)", &set<&RedialPolicy::time_zone>},
    {"business-hours-start", "REDIAL_BUSINESS_HOURS_START", "business_hours.start", T::kTimeOfDay,
     "09:00", kQueue, "Dialing opens, local time (HH:MM[:SS])",
     &set<&RedialPolicy::business_open_s>},
    {"business-hours-end", "REDIAL_BUSINESS_HOURS_END", "business_hours.end", T::kTimeOfDay,
     "17:00", kQueue, "Dialing closes, local time (HH:MM[:SS]; 24:00 = midnight)",
     &set<&RedialPolicy::business_close_s>},
    {"business-days", "REDIAL_BUSINESS_DAYS", "business_hours.weekdays", T::kWeekdays,
     "sun,mon,tue,wed,thu,fri,sat", kQueue,
     "Weekdays on which to dial (sun or sunday, any case), e.g. mon,tue,wed,thu,fri",
     &set<&RedialPolicy::business_weekdays>},
    {"ready-window-days", "REDIAL_READY_WINDOW_DAYS", "ready_window_days", T::kInt, "1", kQueue,
     "The seed's \"today only\": leads created in the last N local days are redialed "
     "(0 = no limit; scheduled callbacks are exempt)",
     &set<&RedialPolicy::ready_window_days>, 0, 0, 3650},
    {"active-call-pushback", "REDIAL_ACTIVE_CALL_PUSHBACK", "active_call_pushback_minutes",
     T::kDuration, "5", kQueue, "A lead whose phone is in a call waits this long",
     &set<&RedialPolicy::active_call_pushback_ms>, kMinuteMs},
    {"call-timeout", "REDIAL_CALL_TIMEOUT", "call_timeout_minutes", T::kDuration, "35", kQueue,
     "A call without a result after this is reconciled with Bland, then released",
     &set<&RedialPolicy::call_timeout_ms>, kMinuteMs, kSecondMs, kNoMax},
    {"max-concurrent-calls", "REDIAL_MAX_CONCURRENT_CALLS", "max_concurrent_calls", T::kInt, "0",
     kQueue, "Calls in flight at once (0 = no limit)", &set<&RedialPolicy::max_concurrent_calls>,
     0, 0, 1000000},
    {"retention-days", "REDIAL_RETENTION_DAYS", nullptr, T::kInt, "30", kQueue,
     "A month whose name and every record are older than this is moved to DATA_DIR/expired/; "
     "refused (logged, /healthz degraded) when the clock disagrees with the records (0 = never)",
     &set<&RedialPolicy::retention_days>, 0, 0, 36500, "", "([docs/storage.md](docs/storage.md))"},
    {"retention-grace-days", "REDIAL_RETENTION_GRACE_DAYS", nullptr, T::kInt, "30", kQueue,
     "Days a month stays in DATA_DIR/expired/ before it is deleted",
     &set<&RedialPolicy::retention_grace_days>, 0, 0, 36500},

    // ---- calling rules (docs/calling-rules.md) ----
    {"federal-window", "REDIAL_FEDERAL_WINDOW", "federal_window", T::kBool, "true", kRules,
     "Never redial outside 08:00-21:00 in the lead's local time (every zone of its area code and "
     "of its record's state); false logs a warning at start",
     &set<&RedialPolicy::federal_window>},
    {"state-rules", "REDIAL_STATE_RULES", "state_rules", T::kBool, "false", kRules,
     "Also apply the state table rules/state_calling_rules.csv: state hours, banned days and "
     "holidays, calls per 24 h", &set<&RedialPolicy::state_rules>},
    {"state-call-limit-override", "REDIAL_STATE_CALL_LIMIT_OVERRIDE", "state_call_limit_override",
     T::kText, "", kRules, "Lower a state's 24-hour cap: FL,2;OK,1 (the lowest limit wins)",
     &set<&RedialPolicy::state_call_limit_override>, 0, 0, 0, "", "", &check_cap_override},
    {"max-calls-per-lead-24h", "REDIAL_MAX_CALLS_PER_LEAD_24H", "max_calls_per_lead_24h", T::kInt,
     "0", kRules, "Calls to one lead per rolling 24 hours (0 = no cap)",
     &set<&RedialPolicy::max_calls_per_lead_24h>, 0, 0, 1000},
    {"max-calls-per-phone-24h", "REDIAL_MAX_CALLS_PER_PHONE_24H", "max_calls_per_phone_24h",
     T::kInt, "0", kRules, "Calls to one number per rolling 24 hours, from any lead (0 = no cap)",
     &set<&RedialPolicy::max_calls_per_phone_24h>, 0, 0, 1000},
    // Dial limits and pacing: core rules the tick enforces, counted from the records' dial times
    // (core/dial_rate_limits.h), so they survive a restart and the simulator checks them.
    {"max-calls-per-hour", "REDIAL_MAX_CALLS_PER_HOUR", "max_calls_per_hour", T::kInt, "0",
     kRules, "Dials per rolling hour, the limit of your Bland plan (0 = none)",
     &set<&RedialPolicy::max_calls_per_hour>, 0, 0, 100000000, "",
     "(every call the records keep counts, first calls included; when reached, the tick stops "
     "dialing and the due leads stay where they are, counted in `held`)"},
    {"max-calls-per-day", "REDIAL_MAX_CALLS_PER_DAY", "max_calls_per_day", T::kInt, "0", kRules,
     "Dials per rolling 24 h, the limit of your Bland plan (0 = none)",
     &set<&RedialPolicy::max_calls_per_day>, 0, 0, 100000000},
    {"dials-per-minute", "REDIAL_DIALS_PER_MINUTE", "dials_per_minute", T::kInt, "0", kRules,
     "Most dials started per minute, spread evenly (0 = no pacing)",
     &set<&RedialPolicy::dials_per_minute>, 0, 0, 60000, "",
     "([docs/runner.md](docs/runner.md#pacing))"},
    {"dials-per-second", "REDIAL_DIALS_PER_SECOND", "dials_per_second", T::kInt, "0", kRules,
     "Most dials started per second (0 = no limit)", &set<&RedialPolicy::dials_per_second>, 0, 0,
     1000},
    {"min-call-gap", "REDIAL_MIN_CALL_GAP", "min_call_gap_seconds", T::kDuration, "10s", kRules,
     "Minimum time between two calls to one number (Bland refuses a second call within 10 s)",
     &set<&RedialPolicy::min_call_gap_ms>, kSecondMs},
    {"outcome-rules", "REDIAL_OUTCOME_RULES", "outcome_rules", T::kOutcomeRules,
     "DO_NOT_CONTACT=dnc;DNC_REQUESTED=dnc;BAD_NUMBER=dnc", kRules,
     "Per-outcome rules OUTCOME=progressive|never|dnc|waits (e.g. BUSY=5m;NOT_INTERESTED=never;"
     "NO_ANSWER=1h,4h,2d), ';'-separated; the outcomes named change their rule, the others keep "
     "the default (naming BUSY keeps DO_NOT_CONTACT=dnc)", &set_outcome_rules, 0, 0, 0, "",
     "`BAD_NUMBER` (Bland: the number does not exist) stays `dnc` unless named; `TRANSFER_FAILED` "
     "(a transfer claimed without Bland's evidence) is retried "
     "([docs/runner.md](docs/runner.md#error-classes)). A scenario may also give an object: "
     "`{\"BUSY\": \"5m\"}`"},
    {"callback-outcomes", "REDIAL_CALLBACK_OUTCOMES", "callback_outcomes", T::kOutcomeList,
     "CALL_BACK_SCHEDULED", kRules,
     "Outcomes whose callback time (webhook scheduled_callback_time/callback_time) reschedules "
     "the lead to it; other outcomes ignore a callback time",
     &set<&RedialPolicy::callback_outcomes>},
    {"dnc-file", "REDIAL_DNC_FILE", nullptr, T::kText, "", kRules,
     "Do-not-call numbers, one a line, any common format; reloaded on SIGHUP and "
     "POST /admin/dnc/reload (a file with a bad line is refused whole, the old list stays)",
     &set<&RedialPolicy::dnc_file>, 0, 0, 0, "", "A scenario gives its list as `dnc`."},
    {"rules-dir", "REDIAL_RULES_DIR", nullptr, T::kText, "", kRules,
     "Folder of the calling-rule tables (default: /usr/share/redial/rules when installed, else "
     "the repository's rules/)", &set<&RedialPolicy::rules_dir>},
    {"area-code-file", "REDIAL_AREA_CODE_FILE", nullptr, T::kText, "", kRules,
     "Area-code table (default RULES_DIR/area_codes.csv)", &set<&RedialPolicy::area_code_file>},
    {"state-rules-file", "REDIAL_STATE_RULES_FILE", nullptr, T::kText, "", kRules,
     "State rule table, e.g. your own copy (default RULES_DIR/state_calling_rules.csv)",
     &set<&RedialPolicy::state_rules_file>},
    {"holidays-file", "REDIAL_HOLIDAYS_FILE", nullptr, T::kText, "", kRules,
     "Holiday table (default RULES_DIR/holidays.csv)", &set<&RedialPolicy::holidays_file>},

    // ---- the runner: Bland, the server, storage and logs (set in runner/settings.cpp) ----
    {"bland-api-key", "BLAND_API_KEY", nullptr, T::kText, "", kRunner,
     "Bland API key, sent as the authorization header (required when the queue is enabled)"},
    {"bland-base-url", "BLAND_BASE_URL", nullptr, T::kText, "https://api.bland.ai", kRunner,
     "Bland API base URL"},
    {"webhook-secret", "BLAND_WEBHOOK_SECRET", nullptr, T::kText, "", kRunner,
     "Verify X-Webhook-Signature (HMAC-SHA256 hex of the body) with this secret"},
    {"public-webhook-url", "REDIAL_PUBLIC_WEBHOOK_URL", nullptr, T::kText, "", kRunner,
     "Webhook URL given to Bland (default http://LISTEN:PORT/webhooks/bland-callback)"},
    {"call-template", "REDIAL_CALL_TEMPLATE", nullptr, T::kText, "", kRunner,
     "JSON file (or inline JSON object) merged into every POST /v1/calls body; must name task, "
     "pathway_id or persona_id when the queue is enabled"},
    {"outcome-mapping", "REDIAL_OUTCOME_MAPPING", nullptr, T::kText, "", kRunner,
     "JSON file (or inline JSON object) overriding the webhook outcome mapping (docs/runner.md)"},
    {"dial-retries", "REDIAL_DIAL_RETRIES", nullptr, T::kInt, "3", kRunner,
     "Retries of a dial after 429, 5xx or network error", nullptr, 0, 0, 20},
    {"dial-backoff", "REDIAL_DIAL_BACKOFF", nullptr, T::kDuration, "2s", kRunner,
     "First retry wait, doubled each retry", nullptr, kSecondMs},
    {"http-timeout", "REDIAL_HTTP_TIMEOUT", nullptr, T::kDuration, "15s", kRunner,
     "Time-out of one request to Bland", nullptr, kSecondMs, 1, kNoMax},
    {"plan-limit-backoff", "REDIAL_PLAN_LIMIT_BACKOFF", nullptr, T::kDuration, "30s", kRunner,
     "Dialing pause after a plan-limit 429 without Retry-After; doubles while they repeat",
     nullptr, kSecondMs, kSecondMs, kNoMax, "",
     "([docs/runner.md](docs/runner.md#dial-errors-limits-and-pacing))"},
    {"plan-limit-backoff-max", "REDIAL_PLAN_LIMIT_BACKOFF_MAX", nullptr, T::kDuration, "15m",
     kRunner, "Longest such pause", nullptr, kMinuteMs},
    {"webhook-grace", "REDIAL_WEBHOOK_GRACE", nullptr, T::kDuration, "2m", kRunner,
     "Time after the template's max_duration for the webhook; --call-timeout must exceed both",
     nullptr, kMinuteMs},
    {"listen-address", "REDIAL_LISTEN_ADDRESS", nullptr, T::kText, "127.0.0.1", kRunner,
     "HTTP listen address (IPv4)"},
    {"port", "REDIAL_PORT", nullptr, T::kInt, "8080", kRunner,
     "HTTP port (0 = any free port, logged)", nullptr, 0, 0, 65535},
    {"admin-token", "REDIAL_ADMIN_TOKEN", nullptr, T::kText, "", kRunner,
     "When set, /admin/* needs the header authorization: Bearer TOKEN"},
    {"data-dir", "REDIAL_DATA_DIR", nullptr, T::kText, "data/redial-queue", kRunner,
     "Directory of month files, journal and lock"},
    {"store", "REDIAL_STORE", nullptr, T::kText, "", kRunner,
     "Empty: month files in --data-dir. postgres://user:pass@host:port/db: a queue several "
     "runners share", nullptr, 0, 0, 0, "", "([docs/scaling.md](docs/scaling.md))"},
    {"lease", "REDIAL_LEASE", nullptr, T::kDuration, "0", kRunner,
     "Shared store: a dead runner's claims and calls free their numbers after this "
     "(0 = --call-timeout)", nullptr, kMinuteMs},
    {"backup-dir", "REDIAL_BACKUP_DIR", nullptr, T::kText, "", kRunner,
     "POST /admin/backup writes a consistent copy of the store under this directory"},
    {"fsync", "REDIAL_FSYNC", nullptr, T::kBool, "true", kRunner,
     "fsync the journal (false only for throwaway demos)"},
    {"log-format", "REDIAL_LOG_FORMAT", nullptr, T::kChoice, "text", kRunner,
     "text or json (JSON lines)", nullptr, 0, 0, 0, "text,json"},
    {"log-level", "REDIAL_LOG_LEVEL", nullptr, T::kChoice, "info", kRunner,
     "trace, debug, info, warn, error", nullptr, 0, 0, 0, "trace,debug,info,warn,error,critical,off"},
    {"log-file", "REDIAL_LOG_FILE", nullptr, T::kText, "", kRunner,
     "Log to this file (reopened on SIGHUP); default standard error"},
    // Security limits (issue 6).
    {"webhook-token", "REDIAL_WEBHOOK_TOKEN", nullptr, T::kText, "", kRunner,
     "Without --webhook-secret: the token Bland's webhook URL must carry (?token=); default: "
     "random, kept in DATA_DIR/webhook.token"},
    {"max-body-bytes", "REDIAL_MAX_BODY_BYTES", nullptr, T::kInt, "1048576", kRunner,
     "Largest request body (webhooks and admin); larger gets 413", nullptr, 0, 1024, 1LL << 30},
    {"max-header-bytes", "REDIAL_MAX_HEADER_BYTES", nullptr, T::kInt, "8192", kRunner,
     "Largest request line + headers; larger gets 431", nullptr, 0, 1024, 1 << 20},
    {"max-connections", "REDIAL_MAX_CONNECTIONS", nullptr, T::kInt, "512", kRunner,
     "HTTP connections open at once; more are closed at accept", nullptr, 0, 1, 100000},
    {"max-connections-per-ip", "REDIAL_MAX_CONNECTIONS_PER_IP", nullptr, T::kInt, "32", kRunner,
     "HTTP connections open at once from one address", nullptr, 0, 1, 100000},
    {"request-timeout", "REDIAL_REQUEST_TIMEOUT", nullptr, T::kDuration, "30s", kRunner,
     "A request must arrive and be answered within this (slow clients are cut off)", nullptr,
     kSecondMs, kSecondMs, kNoMax},
    {"header-timeout", "REDIAL_HEADER_TIMEOUT", nullptr, T::kDuration, "5s", kRunner,
     "Request line + headers must arrive within this of the connection's start (or previous "
     "answer); acts when shorter than --request-timeout", nullptr, kSecondMs, kSecondMs, kDayMs},
    {"body-timeout", "REDIAL_BODY_TIMEOUT", nullptr, T::kDuration, "10s", kRunner,
     "The body must arrive within this of the end of the headers; acts when shorter than "
     "--request-timeout", nullptr, kSecondMs, kSecondMs, kDayMs},
    {"max-leads-per-request", "REDIAL_MAX_LEADS_PER_REQUEST", nullptr, T::kInt, "1000", kRunner,
     "Most leads in one POST /admin/leads; more gets 413", nullptr, 0, 1, 1000000},
};
// clang-format on

}  // namespace

std::span<const SettingSpec> settings_schema() { return kSchema; }

const SettingSpec* find_setting(std::string_view name) {
  for (const auto& s : kSchema)
    if (name == s.name) return &s;
  return nullptr;
}

const SettingSpec* setting_for_error(std::string_view validate_name) {
  std::string name(validate_name);
  std::replace(name.begin(), name.end(), '_', '-');
  if (name == "business-hours") name = "business-hours-start";  // opening before closing
  return find_setting(name);
}

}  // namespace redial
