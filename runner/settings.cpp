#include "runner/settings.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/business_calendar.h"
#include "core/calling_rules.h"
#include "core/dnc_list.h"
#include "core/errors.h"
#include "runner/outcome_mapping.h"

namespace po = boost::program_options;

namespace redial::runner {
namespace {

struct Spec {
  const char* name;  // flag and config-file key
  const char* env;   // environment variable ("" for none)
  const char* def;   // default, as text
  const char* help;
};

// Every setting, in --help order. Values are parsed from text so a bad one names its setting.
const Spec kSpecs[] = {
    {"queue-enabled", "REDIAL_QUEUE_ENABLED", "true", "Run the redial processor (true/false)"},
    {"process-interval", "REDIAL_PROCESS_INTERVAL", "5",
     "Time between queue ticks (plain number = minutes; 30s, 5m, 2h)"},
    {"max-attempts", "REDIAL_MAX_ATTEMPTS", "8", "Results recorded before status max_attempts"},
    {"retention-days", "REDIAL_RETENTION_DAYS", "30",
     "Months whose every record is older than this go to DATA_DIR/expired/ (0 = never)"},
    {"retention-grace-days", "REDIAL_RETENTION_GRACE_DAYS", "30",
     "Days a month stays in DATA_DIR/expired/ before it is deleted"},
    {"progressive-intervals", "REDIAL_PROGRESSIVE_INTERVALS", "0,0,5,10,30,60,120",
     "Wait after the k-th result (minutes, or 30s,5m,2h; last value repeats)"},
    {"min-wait", "REDIAL_MIN_WAIT", "2", "Minimum wait after any result (minutes or 30s/5m)"},
    {"success-outcomes", "REDIAL_SUCCESS_OUTCOMES", "TRANSFERRED",
     "Comma list of outcomes that complete a lead"},
    {"stop-outcomes", "REDIAL_STOP_OUTCOMES", "",
     "Comma list of outcomes that complete a lead (never called again; see outcome-rules)"},
    {"extra-outcomes", "REDIAL_EXTRA_OUTCOMES", "",
     "Comma list of further outcomes accepted as not final (your disposition tags)"},
    {"time-zone", "REDIAL_TIME_ZONE", "America/New_York", "Business time zone (IANA name)"},
    {"business-hours-start", "REDIAL_BUSINESS_HOURS_START", "09:00", "Dialing opens (HH:MM[:SS])"},
    {"business-hours-end", "REDIAL_BUSINESS_HOURS_END", "17:00", "Dialing closes (HH:MM[:SS])"},
    {"business-days", "REDIAL_BUSINESS_DAYS", "sun,mon,tue,wed,thu,fri,sat",
     "Comma list of weekdays on which to dial"},
    {"ready-window-days", "REDIAL_READY_WINDOW_DAYS", "1",
     "Redial leads created in the last N local days (1 = today only, 0 = no limit)"},
    {"active-call-pushback", "REDIAL_ACTIVE_CALL_PUSHBACK", "5",
     "A lead whose phone is in a call waits this long (minutes or 30s/5m)"},
    {"call-timeout", "REDIAL_CALL_TIMEOUT", "35",
     "A call without a result after this is reconciled with Bland (minutes or 30s/5m)"},
    {"max-concurrent-calls", "REDIAL_MAX_CONCURRENT_CALLS", "0",
     "Calls in flight at once (0 = no limit)"},
    {"callback-outcomes", "REDIAL_CALLBACK_OUTCOMES", "CALL_BACK_SCHEDULED",
     "Comma list of outcomes whose callback time reschedules the lead"},
    {"outcome-rules", "REDIAL_OUTCOME_RULES", "",
     "Per-outcome retry rules OUTCOME=progressive|never|dnc|waits (5m,1h,1d), ';'-separated, "
     "merged over the defaults DO_NOT_CONTACT=dnc;DNC_REQUESTED=dnc;BAD_NUMBER=dnc"},
    {"federal-window", "REDIAL_FEDERAL_WINDOW", "true",
     "Never redial outside 08:00-21:00 in the lead's local time (false logs a warning)"},
    {"state-rules", "REDIAL_STATE_RULES", "false",
     "Apply the state calling-rule table (hours, banned days, 24-hour caps)"},
    {"rules-dir", "REDIAL_RULES_DIR", "",
     "Folder of the calling-rule tables (default: the installed rules/ folder)"},
    {"area-code-file", "REDIAL_AREA_CODE_FILE", "", "Area-code table (default RULES_DIR/...)"},
    {"state-rules-file", "REDIAL_STATE_RULES_FILE", "",
     "State rule table, e.g. your own copy (default RULES_DIR/state_calling_rules.csv)"},
    {"holidays-file", "REDIAL_HOLIDAYS_FILE", "", "Holiday table (default RULES_DIR/holidays.csv)"},
    {"state-call-limit-override", "REDIAL_STATE_CALL_LIMIT_OVERRIDE", "",
     "Lower a state's 24-hour cap: FL,3;OK,2 (the lowest limit wins)"},
    {"max-calls-per-lead-24h", "REDIAL_MAX_CALLS_PER_LEAD_24H", "0",
     "Calls to one lead per rolling 24 h (0 = no cap)"},
    {"max-calls-per-phone-24h", "REDIAL_MAX_CALLS_PER_PHONE_24H", "0",
     "Calls to one number per rolling 24 h, any lead (0 = no cap)"},
    {"min-call-gap", "REDIAL_MIN_CALL_GAP", "10s",
     "Minimum time between two calls to one number (Bland refuses within 10 s)"},
    {"dnc-file", "REDIAL_DNC_FILE", "",
     "Do-not-call file, one number a line; reloaded on SIGHUP and POST /admin/dnc/reload"},
    {"max-calls-per-hour", "REDIAL_MAX_CALLS_PER_HOUR", "0", "Dials per rolling hour (0 = none)"},
    {"max-calls-per-day", "REDIAL_MAX_CALLS_PER_DAY", "0", "Dials per rolling 24 h (0 = none)"},
    {"bland-api-key", "BLAND_API_KEY", "", "Bland API key (sent as the authorization header)"},
    {"bland-base-url", "BLAND_BASE_URL", "https://api.bland.ai", "Bland API base URL"},
    {"webhook-secret", "BLAND_WEBHOOK_SECRET", "",
     "Verify X-Webhook-Signature (HMAC-SHA256 hex of the body) with this secret"},
    {"public-webhook-url", "REDIAL_PUBLIC_WEBHOOK_URL", "",
     "Webhook URL given to Bland (default http://LISTEN:PORT/webhooks/bland-callback)"},
    {"call-template", "REDIAL_CALL_TEMPLATE", "",
     "JSON file (or inline JSON object) merged into every POST /v1/calls body"},
    {"outcome-mapping", "REDIAL_OUTCOME_MAPPING", "",
     "JSON file (or inline JSON object) overriding the webhook outcome mapping"},
    {"dial-retries", "REDIAL_DIAL_RETRIES", "3",
     "Retries of a dial after 429, 5xx or network error"},
    {"dial-backoff", "REDIAL_DIAL_BACKOFF", "2s", "First retry wait, doubled each retry"},
    {"http-timeout", "REDIAL_HTTP_TIMEOUT", "15s", "Time-out of one request to Bland"},
    // Dial limits and pacing (issue 14).
    {"dials-per-minute", "REDIAL_DIALS_PER_MINUTE", "0",
     "Most dials started per minute, spread evenly (0 = no pacing)"},
    {"dials-per-second", "REDIAL_DIALS_PER_SECOND", "0",
     "Most dials started per second (0 = no limit)"},
    {"plan-limit-backoff", "REDIAL_PLAN_LIMIT_BACKOFF", "30s",
     "Dialing pause after a plan-limit 429 without Retry-After; doubles while they repeat"},
    {"plan-limit-backoff-max", "REDIAL_PLAN_LIMIT_BACKOFF_MAX", "15m",
     "Longest such pause (minutes)"},
    {"webhook-grace", "REDIAL_WEBHOOK_GRACE", "2m",
     "Time after the template's max_duration for the webhook; --call-timeout must exceed both"},
    {"listen-address", "REDIAL_LISTEN_ADDRESS", "127.0.0.1", "HTTP listen address (IPv4)"},
    {"port", "REDIAL_PORT", "8080", "HTTP port (0 = any free port, logged)"},
    {"admin-token", "REDIAL_ADMIN_TOKEN", "",
     "When set, /admin/* needs the header authorization: Bearer TOKEN"},
    {"data-dir", "REDIAL_DATA_DIR", "data/redial-queue", "Directory of month files and journal"},
    {"store", "REDIAL_STORE", "",
     "Empty: month files in --data-dir. postgres://user:pass@host:port/db: a queue several "
     "runners share (docs/scaling.md)"},
    {"lease", "REDIAL_LEASE", "0",
     "Shared store: a dead runner's claims and calls free their numbers after this "
     "(0 = --call-timeout; minutes or 30s/5m)"},
    {"backup-dir", "REDIAL_BACKUP_DIR", "",
     "POST /admin/backup writes a consistent copy of the store under this directory"},
    {"fsync", "REDIAL_FSYNC", "true", "fsync the journal (false only for throwaway demos)"},
    {"log-format", "REDIAL_LOG_FORMAT", "text", "text or json (JSON lines)"},
    {"log-level", "REDIAL_LOG_LEVEL", "info", "trace, debug, info, warn, error"},
    {"log-file", "REDIAL_LOG_FILE", "", "Log to this file (reopened on SIGHUP); default stderr"},
    // Security limits (issue 6).
    {"webhook-token", "REDIAL_WEBHOOK_TOKEN", "",
     "Without --webhook-secret: the token Bland's webhook URL must carry (?token=); default: "
     "random, kept in DATA_DIR/webhook.token"},
    {"max-body-bytes", "REDIAL_MAX_BODY_BYTES", "1048576",
     "Largest request body (webhooks and admin); larger gets 413"},
    {"max-header-bytes", "REDIAL_MAX_HEADER_BYTES", "8192",
     "Largest request line + headers; larger gets 431"},
    {"max-connections", "REDIAL_MAX_CONNECTIONS", "512", "HTTP connections open at once"},
    {"max-connections-per-ip", "REDIAL_MAX_CONNECTIONS_PER_IP", "32",
     "HTTP connections open at once from one address"},
    {"request-timeout", "REDIAL_REQUEST_TIMEOUT", "30s",
     "A request must arrive and be answered within this (slow clients are cut off)"},
    {"header-timeout", "REDIAL_HEADER_TIMEOUT", "5s",
     "Request line + headers must arrive within this of the connection's start (or previous "
     "answer); acts when shorter than --request-timeout"},
    {"body-timeout", "REDIAL_BODY_TIMEOUT", "10s",
     "The body must arrive within this of the end of the headers; acts when shorter than "
     "--request-timeout"},
    {"max-leads-per-request", "REDIAL_MAX_LEADS_PER_REQUEST", "1000",
     "Most leads in one POST /admin/leads; more gets 413"},
};

const Spec& spec(const std::string& name) {
  for (const auto& s : kSpecs)
    if (name == s.name) return s;
  throw std::logic_error("no setting " + name);
}

std::string label(const std::string& name) {
  const Spec& s = spec(name);
  std::string out = "--" + name;
  if (*s.env) out += std::string(" (") + s.env + ")";
  return out;
}

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& why) {
  throw SettingsError("bad value for " + label(name) + ": '" + value + "': " + why);
}

po::options_description describe() {
  po::options_description desc("redial-runner settings (flag, environment variable, default)");
  desc.add_options()("help,h", "Print this help and exit")(
      "version", "Print the program's name and version and exit")(
      "check-config", "Validate the settings (flags, environment, config file) and exit")(
      "config", po::value<std::string>()->value_name("FILE"),
      "Config file of 'name = value' lines (names as the flags, without --)");
  for (const auto& s : kSpecs) {
    std::string help = s.help;
    if (*s.env) help += std::string(" [env ") + s.env + "]";
    desc.add_options()(s.name, po::value<std::string>()->default_value(s.def), help.c_str());
  }
  return desc;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',') {
      auto b = cur.find_first_not_of(" \t");
      auto e = cur.find_last_not_of(" \t");
      if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(const po::variables_map& vm) : vm_(vm) {}

  std::string str(const std::string& name) const { return vm_[name].as<std::string>(); }

  long integer(const std::string& name, long lo, long hi) const {
    std::string v = str(name);
    std::size_t used = 0;
    long n = 0;
    try {
      n = std::stol(v, &used);
    } catch (const std::exception&) {
      bad(name, v, "not an integer");
    }
    if (used != v.size()) bad(name, v, "not an integer");
    if (n < lo || n > hi)
      bad(name, v, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return n;
  }

  bool boolean(const std::string& name) const {
    std::string v = str(name);
    for (const char* t : {"true", "1", "yes", "on"})
      if (v == t) return true;
    for (const char* f : {"false", "0", "no", "off"})
      if (v == f) return false;
    bad(name, v, "expected true or false");
  }

  TimeMs duration(const std::string& name, TimeMs plain_unit) const {
    std::string v = str(name);
    try {
      TimeMs ms = parse_duration_ms(v, plain_unit, name);
      if (ms < 0) bad(name, v, "must not be negative");
      return ms;
    } catch (const ConfigError& e) {
      bad(name, v, e.what());
    }
  }

  std::vector<TimeMs> intervals(const std::string& name) const {
    std::string v = str(name);
    try {
      return parse_interval_list(v, name);
    } catch (const ConfigError& e) {
      bad(name, v, e.what());
    }
  }

  int time_of_day(const std::string& name) const {
    std::string v = str(name);
    if (v == "24:00" || v == "24:00:00") return 24 * 3600;
    try {
      return parse_time_of_day_s(v, name);
    } catch (const ConfigError& e) {
      bad(name, v, e.what());
    }
  }

  // A JSON object given inline ("{...}") or as a file name; "" is {}.
  std::string json_object(const std::string& name) const {
    std::string v = str(name);
    if (v.empty()) return "{}";
    std::string text = v;
    if (v.front() != '{') {
      std::ifstream in(v);
      if (!in) bad(name, v, "cannot read the file");
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    auto j = nlohmann::json::parse(text, nullptr, false, true);
    if (j.is_discarded()) bad(name, v, "not valid JSON");
    if (!j.is_object()) bad(name, v, "must be a JSON object");
    return j.dump();
  }

 private:
  const po::variables_map& vm_;
};

std::uint8_t parse_weekdays(const Reader& r) {
  static const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::uint8_t bits = 0;
  for (std::string d : split_list(r.str("business-days"))) {
    for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int found = -1;
    for (int i = 0; i < 7; ++i)
      if (d.rfind(kDays[i], 0) == 0) found = i;
    if (found < 0) bad("business-days", r.str("business-days"), "unknown weekday '" + d + "'");
    bits |= static_cast<std::uint8_t>(1u << found);
  }
  if (bits == 0) bad("business-days", r.str("business-days"), "no weekday given");
  return bits;
}

void check_url(const Reader& r, const std::string& name, bool allow_empty) {
  std::string v = r.str(name);
  if (v.empty() && allow_empty) return;
  if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
    bad(name, v, "must start with http:// or https://");
}

Settings build(const po::variables_map& vm) {
  Reader r(vm);
  Settings s;
  RedialPolicy& p = s.policy;
  p.enabled = r.boolean("queue-enabled");
  p.process_interval_ms = r.duration("process-interval", kMinuteMs);
  if (p.process_interval_ms <= 0) bad("process-interval", r.str("process-interval"), "must be > 0");
  p.max_attempts = static_cast<int>(r.integer("max-attempts", 1, 1000));
  p.retention_days = static_cast<int>(r.integer("retention-days", 0, 36500));
  p.retention_grace_days = static_cast<int>(r.integer("retention-grace-days", 0, 36500));
  p.progressive_intervals_ms = r.intervals("progressive-intervals");
  p.min_wait_ms = r.duration("min-wait", kMinuteMs);
  p.success_outcomes = split_list(r.str("success-outcomes"));
  p.stop_outcomes = split_list(r.str("stop-outcomes"));
  for (auto& o : split_list(r.str("extra-outcomes"))) p.known_outcomes.push_back(o);
  p.time_zone = r.str("time-zone");
  p.business_open_s = r.time_of_day("business-hours-start");
  p.business_close_s = r.time_of_day("business-hours-end");
  p.business_weekdays = parse_weekdays(r);
  p.ready_window_days = static_cast<int>(r.integer("ready-window-days", 0, 3650));
  p.active_call_pushback_ms = r.duration("active-call-pushback", kMinuteMs);
  p.call_timeout_ms = r.duration("call-timeout", kMinuteMs);
  if (p.call_timeout_ms <= 0) bad("call-timeout", r.str("call-timeout"), "must be > 0");
  p.max_concurrent_calls = static_cast<int>(r.integer("max-concurrent-calls", 0, 1000000));
  try {
    // Merged over the policy's defaults, as a scenario's config does: naming BUSY changes BUSY
    // and keeps DO_NOT_CONTACT=dnc. Replacing them made do-not-call an ordinary retry.
    // A default whose outcome --success-outcomes names is dropped (a success has no rule); one
    // the user names for a success is kept, for validate() to refuse.
    std::erase_if(p.outcome_rules, [&](const auto& kv) { return p.is_success(kv.first); });
    for (auto& [name, rule] : parse_outcome_rules(r.str("outcome-rules"), "outcome-rules"))
      p.outcome_rules[name] = std::move(rule);
  } catch (const ConfigError& e) {
    bad("outcome-rules", r.str("outcome-rules"), e.what());
  }
  p.callback_outcomes = split_list(r.str("callback-outcomes"));
  p.federal_window = r.boolean("federal-window");
  p.state_rules = r.boolean("state-rules");
  p.rules_dir = r.str("rules-dir");
  p.area_code_file = r.str("area-code-file");
  p.state_rules_file = r.str("state-rules-file");
  p.holidays_file = r.str("holidays-file");
  p.state_call_limit_override = r.str("state-call-limit-override");
  p.max_calls_per_lead_24h = static_cast<int>(r.integer("max-calls-per-lead-24h", 0, 1000));
  p.max_calls_per_phone_24h = static_cast<int>(r.integer("max-calls-per-phone-24h", 0, 1000));
  p.min_call_gap_ms = r.duration("min-call-gap", kSecondMs);
  p.dnc_file = r.str("dnc-file");
  p.max_calls_per_hour = static_cast<int>(r.integer("max-calls-per-hour", 0, 100000000));
  p.max_calls_per_day = static_cast<int>(r.integer("max-calls-per-day", 0, 100000000));

  s.bland_api_key = r.str("bland-api-key");
  s.bland_base_url = r.str("bland-base-url");
  check_url(r, "bland-base-url", false);
  while (!s.bland_base_url.empty() && s.bland_base_url.back() == '/') s.bland_base_url.pop_back();
  s.webhook_secret = r.str("webhook-secret");
  s.public_webhook_url = r.str("public-webhook-url");
  check_url(r, "public-webhook-url", true);
  s.call_template = r.json_object("call-template");
  s.outcome_mapping = r.json_object("outcome-mapping");
  try {
    (void)load_outcome_mapping(nlohmann::json::parse(s.outcome_mapping));
  } catch (const std::invalid_argument& e) {
    bad("outcome-mapping", r.str("outcome-mapping"), e.what());
  }
  for (const char* member : {"request_data", "metadata"}) {
    auto t = nlohmann::json::parse(s.call_template);
    if (t.contains(member) && !t[member].is_object() && !t[member].is_null())
      bad("call-template", r.str("call-template"), std::string(member) + " must be an object");
  }
  s.dial_retries = static_cast<int>(r.integer("dial-retries", 0, 20));
  s.dial_backoff_ms = r.duration("dial-backoff", kSecondMs);
  s.http_timeout_ms = r.duration("http-timeout", kSecondMs);
  if (s.http_timeout_ms <= 0) bad("http-timeout", r.str("http-timeout"), "must be > 0");
  s.policy.dials_per_minute = static_cast<int>(r.integer("dials-per-minute", 0, 60000));
  s.policy.dials_per_second = static_cast<int>(r.integer("dials-per-second", 0, 1000));
  s.plan_limit_backoff_ms = r.duration("plan-limit-backoff", kSecondMs);
  if (s.plan_limit_backoff_ms < kSecondMs)
    bad("plan-limit-backoff", r.str("plan-limit-backoff"), "must be at least 1s");
  s.plan_limit_backoff_max_ms = r.duration("plan-limit-backoff-max", kMinuteMs);
  if (s.plan_limit_backoff_max_ms < s.plan_limit_backoff_ms)
    bad("plan-limit-backoff-max", r.str("plan-limit-backoff-max"),
        "must not be shorter than --plan-limit-backoff");
  s.webhook_grace_ms = r.duration("webhook-grace", kMinuteMs);

  s.listen_address = r.str("listen-address");
  s.port = static_cast<int>(r.integer("port", 0, 65535));
  s.admin_token = r.str("admin-token");
  s.data_dir = r.str("data-dir");
  if (s.data_dir.empty()) bad("data-dir", "", "must not be empty");
  s.store = r.str("store");
  if (!s.store.empty() && s.store.rfind("postgres://", 0) != 0 &&
      s.store.rfind("postgresql://", 0) != 0)
    bad("store",  // the user and password before '@' are never echoed
        s.store.find('@') == std::string::npos ? s.store
                                               : "***" + s.store.substr(s.store.find('@')),
        "must be empty (month files) or a postgres:// URL");
  s.lease_ms = r.duration("lease", kMinuteMs);
  if (s.lease_ms < 0) bad("lease", r.str("lease"), "must be >= 0");
  if (s.lease_ms == 0) s.lease_ms = s.policy.call_timeout_ms;
  s.backup_dir = r.str("backup-dir");
  s.fsync = r.boolean("fsync");
  std::string fmt = r.str("log-format");
  if (fmt == "text") {
    s.log_format = LogFormat::kText;
  } else if (fmt == "json") {
    s.log_format = LogFormat::kJson;
  } else {
    bad("log-format", fmt, "expected text or json");
  }
  s.log_level = r.str("log-level");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || s.log_level == l;
  if (!level_ok) bad("log-level", s.log_level, "expected trace, debug, info, warn or error");
  s.log_file = r.str("log-file");

  s.webhook_token = r.str("webhook-token");
  if (!s.webhook_token.empty() && !valid_webhook_token(s.webhook_token))
    bad("webhook-token", s.webhook_token, "expected 16 to 128 characters of A-Z a-z 0-9 - _");
  s.max_body_bytes = static_cast<std::size_t>(r.integer("max-body-bytes", 1024, 1L << 30));
  s.max_header_bytes = static_cast<std::size_t>(r.integer("max-header-bytes", 1024, 1 << 20));
  s.max_connections = static_cast<unsigned>(r.integer("max-connections", 1, 100000));
  s.max_connections_per_ip = static_cast<unsigned>(r.integer("max-connections-per-ip", 1, 100000));
  s.request_timeout_ms = r.duration("request-timeout", kSecondMs);
  if (s.request_timeout_ms < kSecondMs)
    bad("request-timeout", r.str("request-timeout"), "must be at least 1s");
  for (const char* name : {"header-timeout", "body-timeout"}) {
    TimeMs ms = r.duration(name, kSecondMs);
    if (ms < kSecondMs || ms > kDayMs) bad(name, r.str(name), "must be between 1s and 24h");
    (name[0] == 'h' ? s.header_timeout_ms : s.body_timeout_ms) = ms;
  }
  if (s.max_connections_per_ip > s.max_connections)
    bad("max-connections-per-ip", r.str("max-connections-per-ip"),
        "must not exceed --max-connections (" + std::to_string(s.max_connections) + ")");
  s.max_leads_per_request = static_cast<int>(r.integer("max-leads-per-request", 1, 1000000));

  try {
    p.validate();
    BusinessCalendar check(p.time_zone, p.business_open_s, p.business_close_s, p.business_weekdays);
  } catch (const ConfigError& e) {
    std::string name = e.setting();
    for (auto& c : name)
      if (c == '_') c = '-';
    for (const auto& sp : kSpecs)
      if (name == sp.name) bad(name, r.str(name), e.what());
    throw SettingsError(std::string("bad setting ") + e.what());
  }
  // The tables and the do-not-call file are read now, so --check-config finds a bad line.
  try {
    (void)CallingRules::from_policy(p);
    if (!p.dnc_file.empty()) (void)DncList::load(p.dnc_file);
  } catch (const ConfigError& e) {
    throw SettingsError(std::string("bad calling-rule file: ") + e.what());
  }
  if (s.bland_api_key.empty() && p.enabled)
    throw SettingsError("missing " + label("bland-api-key") + ": needed to place calls");
  return s;
}

}  // namespace

std::string Settings::webhook_url() const {
  std::string url =
      public_webhook_url.empty()
          ? "http://" + listen_address + ":" + std::to_string(port) + "/webhooks/bland-callback"
          : public_webhook_url;
  // With a secret Bland signs the body; without one the URL itself is the credential.
  if (webhook_secret.empty() && !webhook_token.empty())
    url += (url.find('?') == std::string::npos ? "?token=" : "&token=") + webhook_token;
  return url;
}

bool valid_webhook_token(const std::string& token) {
  if (token.size() < 16 || token.size() > 128) return false;
  for (unsigned char c : token)
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  return true;
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string settings_help() {
  std::stringstream ss;
  ss << "Usage: redial-runner [options]\n"
     << "Precedence: flags, then environment variables, then --config file, then defaults.\n\n"
     << describe();
  return ss.str();
}

#ifndef REDIAL_VERSION
#error "REDIAL_VERSION (the CMake project version) must be defined"
#endif
std::string version_text() { return std::string("redial-runner ") + REDIAL_VERSION + "\n"; }

ParseOutcome parse_settings(const std::vector<std::string>& args, const EnvLookup& env) {
  po::options_description desc = describe();
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    // Environment: only the names in the table (a stray variable is never an error).
    po::parsed_options from_env(&desc);
    for (const auto& s : kSpecs) {
      if (!*s.env) continue;
      if (auto v = env(s.env)) {
        po::option o;
        o.string_key = s.name;
        o.value.push_back(*v);
        o.original_tokens = {s.env, *v};
        from_env.options.push_back(o);
      }
    }
    po::store(from_env, vm);
    if (vm.count("help")) return ParseOutcome{std::nullopt, settings_help()};
    if (vm.count("version")) return ParseOutcome{std::nullopt, version_text()};
    if (vm.count("config")) {
      std::string file = vm["config"].as<std::string>();
      std::ifstream in(file);
      if (!in) throw SettingsError("bad value for --config: cannot read '" + file + "'");
      po::store(po::parse_config_file(in, desc), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw SettingsError(e.what());
  }
  return ParseOutcome{build(vm), "", vm.count("check-config") > 0};
}

}  // namespace redial::runner
