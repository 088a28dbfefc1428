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
#include "core/settings_schema.h"
#include "runner/outcome_mapping.h"
#include "runner/settings_docs.h"

namespace po = boost::program_options;

namespace redial::runner {
namespace {

using Spec = SettingSpec;

const Spec& spec(const std::string& name) {
  const Spec* s = find_setting(name);
  if (s == nullptr) throw std::logic_error("no setting " + name);
  return *s;
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
      "print-settings-markdown", po::value<std::string>()->value_name("TABLE"),
      "Print a settings table of the docs (queue, calling-rules, runner or scenario) and exit")(
      "config", po::value<std::string>()->value_name("FILE"),
      "Config file of 'name = value' lines (names as the flags, without --)");
  // Generated from the settings schema (core/settings_schema.cpp).
  for (const Spec& s : settings_schema()) {
    std::string help = s.help;
    if (s.type == SettingType::kDuration || s.type == SettingType::kDurationList)
      help += s.plain_unit_ms == kSecondMs ? " (plain number = seconds; 500ms, 30s, 5m, 2h)"
                                           : " (plain number = minutes; 30s, 5m, 2h)";
    help += std::string(" [env ") + s.env + "]";
    if (!s.runner_only()) help += std::string(" [scenario config.") + s.scenario_key + "]";
    desc.add_options()(s.name, po::value<std::string>()->default_value(s.default_text),
                       help.c_str());
  }
  return desc;
}

// A core parser's ConfigError, named as the runner names the setting.
[[noreturn]] void bad_config(const ConfigError& e, const std::string& value) {
  const Spec* s = find_setting(e.setting());
  if (s == nullptr) s = setting_for_error(e.setting());
  if (s == nullptr) throw SettingsError(std::string("bad setting ") + e.what());
  bad(s->name, value, config_error_reason(e, e.setting()));
}

// A JSON object given inline ("{...}") or as a file name; "" is {}.
std::string json_object(const std::string& name, const std::string& v) {
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

void check_url(const std::string& name, const std::string& v, bool allow_empty) {
  if (v.empty() && allow_empty) return;
  if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
    bad(name, v, "must start with http:// or https://");
}

// The setter of a runner-only setting: `v` has passed check_setting_value.
using RunnerSetter = void (*)(Settings& s, const Spec& sp, const std::string& v);

int int_of(const Spec& sp, const std::string& v) {
  return static_cast<int>(parse_setting_int(sp, v));
}
TimeMs ms_of(const Spec& sp, const std::string& v) { return parse_setting_duration(sp, v); }

void set_call_template(Settings& s, const Spec& sp, const std::string& v) {
  s.call_template = json_object(sp.name, v);
  for (const char* member : {"request_data", "metadata"}) {
    auto t = nlohmann::json::parse(s.call_template);
    if (t.contains(member) && !t[member].is_object() && !t[member].is_null())
      bad(sp.name, v, std::string(member) + " must be an object");
  }
}

void set_outcome_mapping(Settings& s, const Spec& sp, const std::string& v) {
  s.outcome_mapping = json_object(sp.name, v);
  try {
    (void)load_outcome_mapping(nlohmann::json::parse(s.outcome_mapping));
  } catch (const std::invalid_argument& e) {
    bad(sp.name, v, e.what());
  }
}

void set_store(Settings& s, const Spec& sp, const std::string& v) {
  s.store = v;
  if (!v.empty() && v.rfind("postgres://", 0) != 0 && v.rfind("postgresql://", 0) != 0)
    bad(sp.name,  // the user and password before '@' are never echoed
        v.find('@') == std::string::npos ? v : "***" + v.substr(v.find('@')),
        "must be empty (month files) or a postgres:// URL");
}

// clang-format off
const std::pair<const char*, RunnerSetter> kRunnerSetters[] = {
    {"bland-api-key", [](Settings& s, const Spec&, const std::string& v) { s.bland_api_key = v; }},
    {"bland-base-url", [](Settings& s, const Spec& sp, const std::string& v) {
       check_url(sp.name, v, false);
       s.bland_base_url = v;
       while (!s.bland_base_url.empty() && s.bland_base_url.back() == '/') s.bland_base_url.pop_back();
     }},
    {"webhook-secret", [](Settings& s, const Spec&, const std::string& v) { s.webhook_secret = v; }},
    {"public-webhook-url", [](Settings& s, const Spec& sp, const std::string& v) {
       check_url(sp.name, v, true);
       s.public_webhook_url = v;
     }},
    {"call-template", &set_call_template},
    {"outcome-mapping", &set_outcome_mapping},
    {"dial-retries", [](Settings& s, const Spec& sp, const std::string& v) { s.dial_retries = int_of(sp, v); }},
    {"dial-backoff", [](Settings& s, const Spec& sp, const std::string& v) { s.dial_backoff_ms = ms_of(sp, v); }},
    {"http-timeout", [](Settings& s, const Spec& sp, const std::string& v) { s.http_timeout_ms = ms_of(sp, v); }},
    {"plan-limit-backoff", [](Settings& s, const Spec& sp, const std::string& v) { s.plan_limit_backoff_ms = ms_of(sp, v); }},
    {"plan-limit-backoff-max", [](Settings& s, const Spec& sp, const std::string& v) { s.plan_limit_backoff_max_ms = ms_of(sp, v); }},
    {"webhook-grace", [](Settings& s, const Spec& sp, const std::string& v) { s.webhook_grace_ms = ms_of(sp, v); }},
    {"listen-address", [](Settings& s, const Spec&, const std::string& v) { s.listen_address = v; }},
    {"port", [](Settings& s, const Spec& sp, const std::string& v) { s.port = int_of(sp, v); }},
    {"admin-token", [](Settings& s, const Spec&, const std::string& v) { s.admin_token = v; }},
    {"data-dir", [](Settings& s, const Spec& sp, const std::string& v) {
       if (v.empty()) bad(sp.name, "", "must not be empty");
       s.data_dir = v;
     }},
    {"store", &set_store},
    {"lease", [](Settings& s, const Spec& sp, const std::string& v) { s.lease_ms = ms_of(sp, v); }},
    {"backup-dir", [](Settings& s, const Spec&, const std::string& v) { s.backup_dir = v; }},
    {"fsync", [](Settings& s, const Spec& sp, const std::string& v) { s.fsync = parse_setting_bool(sp, v); }},
    {"log-format", [](Settings& s, const Spec&, const std::string& v) {
       s.log_format = v == "json" ? LogFormat::kJson : LogFormat::kText;
     }},
    {"log-level", [](Settings& s, const Spec&, const std::string& v) { s.log_level = v; }},
    {"log-file", [](Settings& s, const Spec&, const std::string& v) { s.log_file = v; }},
    {"webhook-token", [](Settings& s, const Spec& sp, const std::string& v) {
       if (!v.empty() && !valid_webhook_token(v))
         bad(sp.name, v, "expected 16 to 128 characters of A-Z a-z 0-9 - _");
       s.webhook_token = v;
     }},
    {"max-body-bytes", [](Settings& s, const Spec& sp, const std::string& v) { s.max_body_bytes = static_cast<std::size_t>(parse_setting_int(sp, v)); }},
    {"max-header-bytes", [](Settings& s, const Spec& sp, const std::string& v) { s.max_header_bytes = static_cast<std::size_t>(parse_setting_int(sp, v)); }},
    {"max-connections", [](Settings& s, const Spec& sp, const std::string& v) { s.max_connections = static_cast<unsigned>(int_of(sp, v)); }},
    {"max-connections-per-ip", [](Settings& s, const Spec& sp, const std::string& v) { s.max_connections_per_ip = static_cast<unsigned>(int_of(sp, v)); }},
    {"request-timeout", [](Settings& s, const Spec& sp, const std::string& v) { s.request_timeout_ms = ms_of(sp, v); }},
    {"header-timeout", [](Settings& s, const Spec& sp, const std::string& v) { s.header_timeout_ms = ms_of(sp, v); }},
    {"body-timeout", [](Settings& s, const Spec& sp, const std::string& v) { s.body_timeout_ms = ms_of(sp, v); }},
    {"max-leads-per-request", [](Settings& s, const Spec& sp, const std::string& v) { s.max_leads_per_request = int_of(sp, v); }},
};
// clang-format on

RunnerSetter runner_setter(const Spec& sp) {
  for (const auto& [name, set] : kRunnerSetters)
    if (std::string_view(name) == sp.name) return set;
  throw std::logic_error(std::string("runner-only setting ") + sp.name + " has no runner setter");
}

std::string value_of(const po::variables_map& vm, const Spec& sp) {
  return vm[sp.name].as<std::string>();
}

// The policy: the schema's defaults, then the values given (flags, environment, config file).
void build_policy(const po::variables_map& vm, RedialPolicy& p) {
  SettingValues given;
  for (const Spec& sp : settings_schema())
    if (sp.set != nullptr && !vm[sp.name].defaulted()) given[sp.name] = value_of(vm, sp);
  try {
    apply_policy_settings(given, p);
  } catch (const ConfigError& e) {
    const Spec* sp = find_setting(e.setting());
    bad_config(e, sp != nullptr ? value_of(vm, *sp) : "");
  }
}

void build_runner_only(const po::variables_map& vm, Settings& s) {
  for (const Spec& sp : settings_schema()) {
    if (sp.set != nullptr) continue;
    std::string v = value_of(vm, sp);
    try {
      check_setting_value(sp, v);
      runner_setter(sp)(s, sp, v);
    } catch (const ConfigError& e) {
      bad_config(e, v);
    }
  }
}

// Checks between settings, and of the files they name.
void check_settings(const po::variables_map& vm, Settings& s) {
  const RedialPolicy& p = s.policy;
  if (s.plan_limit_backoff_max_ms < s.plan_limit_backoff_ms)
    bad("plan-limit-backoff-max", value_of(vm, spec("plan-limit-backoff-max")),
        "must not be shorter than --plan-limit-backoff");
  if (s.lease_ms == 0) s.lease_ms = p.call_timeout_ms;
  if (s.max_connections_per_ip > s.max_connections)
    bad("max-connections-per-ip", value_of(vm, spec("max-connections-per-ip")),
        "must not exceed --max-connections (" + std::to_string(s.max_connections) + ")");
  try {
    p.validate();
    BusinessCalendar check(p.time_zone, p.business_open_s, p.business_close_s, p.business_weekdays);
  } catch (const ConfigError& e) {
    const Spec* sp = setting_for_error(e.setting());
    if (sp == nullptr) throw SettingsError(std::string("bad setting ") + e.what());
    bad(sp->name, value_of(vm, *sp), e.what());
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
}

Settings build(const po::variables_map& vm) {
  Settings s;
  build_policy(vm, s.policy);
  build_runner_only(vm, s);
  check_settings(vm, s);
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

std::string settings_markdown_table(const std::string& table) {
  if (table == "scenario") return scenario_config_markdown();
  for (const char* group : {"queue", "calling-rules", "runner"})
    if (table == group) return settings_markdown(group);
  throw SettingsError("bad value for --print-settings-markdown: '" + table +
                      "': expected queue, calling-rules, runner or scenario");
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
    for (const auto& s : settings_schema()) {
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
    if (vm.count("print-settings-markdown"))
      return ParseOutcome{std::nullopt,
                          settings_markdown_table(vm["print-settings-markdown"].as<std::string>())};
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
