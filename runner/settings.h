#pragma once
// The runner's settings: command-line flags, then environment variables, then an optional config
// file (--config, "name = value" lines), then defaults. The seed's variable names are honoured.
// Interval settings take plain numbers as minutes (as the seed did) or 30s / 5m / 2h.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/redial_policy.h"
#include "core/time.h"

namespace redial::runner {

enum class LogFormat { kText, kJson };

struct Settings {
  RedialPolicy policy;  // the core's rules (intervals, attempts, hours, zone ...)

  // Bland AI.
  std::string bland_api_key;                            // BLAND_API_KEY
  std::string bland_base_url = "https://api.bland.ai";  // BLAND_BASE_URL
  std::string webhook_secret;                           // BLAND_WEBHOOK_SECRET; empty: no check
  std::string public_webhook_url;           // REDIAL_PUBLIC_WEBHOOK_URL; empty: derived from listen
  std::string call_template = "{}";         // JSON text of the request template (file already read)
  std::string outcome_mapping = "{}";       // JSON text of the outcome mapping overrides
  int dial_retries = 3;                     // extra tries after a 429 / 5xx / transport error
  TimeMs dial_backoff_ms = 2 * kSecondMs;   // first retry wait; doubles each retry
  TimeMs http_timeout_ms = 15 * kSecondMs;  // one request to Bland
  // Dial limits and pacing are core rules: policy.max_calls_per_hour / _day, dials_per_minute /
  // _second (core/dial_rate_limits.h). Plan-limit pauses (docs/runner.md) stay here.
  TimeMs plan_limit_backoff_ms = 30 * kSecondMs;  // first pause after a plan-limit 429 without
                                                  // Retry-After; doubles while they repeat
  TimeMs plan_limit_backoff_max_ms = 15 * kMinuteMs;
  TimeMs webhook_grace_ms = 2 * kMinuteMs;  // call_timeout must exceed max_duration + this

  // HTTP server.
  std::string listen_address = "127.0.0.1";
  int port = 8080;          // 0: any free port (logged)
  std::string admin_token;  // REDIAL_ADMIN_TOKEN; set: /admin needs "authorization: Bearer <t>"

  // Storage and logs.
  std::string data_dir = "data/redial-queue";
  // REDIAL_STORE: empty for month files in data_dir; a postgres:// URL for a queue several
  // runners share (docs/scaling.md). data_dir still holds webhook.token.
  std::string store;
  TimeMs lease_ms =
      0;  // REDIAL_LEASE: a dead runner's numbers are free after this (0: call_timeout)
  std::string backup_dir;  // REDIAL_BACKUP_DIR; POST /admin/backup copies the store here
  bool fsync = true;
  LogFormat log_format = LogFormat::kText;
  std::string log_level = "info";
  std::string log_file;  // empty: standard error

  // Security limits (issue 6; docs/reliability.md).
  // REDIAL_WEBHOOK_TOKEN; used only without webhook_secret. Empty after parsing: run_app reads
  // or creates DATA_DIR/webhook.token (resolve_webhook_token).
  std::string webhook_token;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 8 << 10;
  unsigned max_connections = 512;
  unsigned max_connections_per_ip = 32;
  TimeMs request_timeout_ms = 30 * kSecondMs;
  TimeMs header_timeout_ms = 5 * kSecondMs;  // slow clients (issue 15)
  TimeMs body_timeout_ms = 10 * kSecondMs;
  int max_leads_per_request = 1000;

  // The webhook URL sent to Bland: public_webhook_url, or http://listen:port/webhooks/...; with
  // no webhook_secret, plus "?token=<webhook_token>" (or "&token=").
  std::string webhook_url() const;
};

// 16-128 characters of [A-Za-z0-9_-]: safe in a URL without escaping, hard to guess.
bool valid_webhook_token(const std::string& token);

// A setting with a bad value, or a bad command line. what() names the setting.
class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

struct ParseOutcome {
  std::optional<Settings> settings;  // nullopt when --help or --version was asked for
  std::string help_text;             // set for --help, and for --version (version_text())
  bool check_only = false;           // --check-config: validate the settings, then exit
};

// Throws SettingsError naming the setting (flag and environment variable) for a bad value.
ParseOutcome parse_settings(const std::vector<std::string>& args, const EnvLookup& env);

// The --help text: every setting, its environment variable and its default.
std::string settings_help();

// The --version text: "redial-runner X.Y.Z\n", the CMake project version.
std::string version_text();

}  // namespace redial::runner
