#include "sim/scenario.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bland_model/refusals.h"
#include "core/dnc_list.h"
#include "core/errors.h"
#include "sim/json_reader.h"
#include "sim/scenario_config.h"

namespace redial::sim {

using nlohmann::json;

const std::vector<std::string> kTotalNames = {
    "calls",        "redials",  "results",       "duplicates",       "dial_errors", "restarts",
    "rejected",     "released", "skipped",       "pending",          "rescheduled", "completed",
    "max_attempts", "records",  "webhooks_lost", "outside_overlaps", "dnc",         "held",
    "dnc_skips"};

const char* event_type_name(EventType t) {
  switch (t) {
    case EventType::kRestart:
      return "restart";
    case EventType::kDuplicateWebhook:
      return "duplicate_webhook";
    case EventType::kDelayWebhook:
      return "delay_webhook";
    case EventType::kLoseWebhook:
      return "lose_webhook";
    case EventType::kWebhook:
      return "webhook";
    case EventType::kDialError:
      return "dial_error";
    case EventType::kDialTimeout:
      return "dial_timeout";
    case EventType::kSlowDialResponse:
      return "slow_dial_response";
    case EventType::kSyncFailure:
      return "sync_failure";
    case EventType::kStopLead:
      return "stop_lead";
    case EventType::kClockStep:
      return "clock_step";
    case EventType::kForgetCall:
      return "forget_call";
    case EventType::kDialErrorState:
      return "dial_error_state";
  }
  return "?";
}

// ---- the loader ----

namespace {

class Loader : public JsonReader {
 public:
  explicit Loader(std::string file) : JsonReader(std::move(file)) {}

  OutcomeSpec outcome(const TimeText& tt, const json& v, const std::string& path) const {
    OutcomeSpec o;
    if (v.is_string()) {
      o.outcome = v.get<std::string>();
      return o;
    }
    check_keys(v, path, {"outcome", "callback_at", "call_seconds", "webhook_delay_seconds"});
    if (!v.contains("outcome")) fail(join(path, "outcome"), "missing");
    o.outcome = str(v["outcome"], join(path, "outcome"));
    if (v.contains("callback_at"))
      o.callback_at = time(tt, v["callback_at"], join(path, "callback_at"));
    if (v.contains("call_seconds"))
      o.call_ms = duration(v["call_seconds"], kSecondMs, join(path, "call_seconds"));
    if (v.contains("webhook_delay_seconds"))
      o.webhook_delay_ms =
          duration(v["webhook_delay_seconds"], kSecondMs, join(path, "webhook_delay_seconds"));
    return o;
  }

  LeadSpec lead(const TimeText& tt, const SimDefaults& d, const json& v,
                const std::string& path) const {
    check_keys(
        v, path,
        {"lead_id", "phone_number", "list_id", "first_name", "last_name", "state", "first_call_at",
         "enqueue_at", "dial_at", "outcomes", "call_seconds", "webhook_delay_seconds"});
    LeadSpec l;
    if (!v.contains("lead_id")) fail(join(path, "lead_id"), "missing");
    if (!v.contains("phone_number")) fail(join(path, "phone_number"), "missing");
    l.lead_id = str(v["lead_id"], join(path, "lead_id"));
    l.phone_number = str(v["phone_number"], join(path, "phone_number"));
    if (v.contains("list_id")) l.list_id = str(v["list_id"], join(path, "list_id"));
    if (v.contains("first_name")) l.first_name = str(v["first_name"], join(path, "first_name"));
    if (v.contains("last_name")) l.last_name = str(v["last_name"], join(path, "last_name"));
    if (v.contains("state")) l.state = str(v["state"], join(path, "state"));
    if (v.contains("first_call_at"))
      l.first_call_at = time(tt, v["first_call_at"], join(path, "first_call_at"));
    if (v.contains("enqueue_at"))
      l.enqueue_at = time(tt, v["enqueue_at"], join(path, "enqueue_at"));
    if (!l.first_call_at && !l.enqueue_at)
      fail(join(path, "first_call_at"), "missing (or give enqueue_at)");
    if (l.first_call_at && l.enqueue_at)
      fail(join(path, "enqueue_at"), "give either first_call_at or enqueue_at, not both");
    if (v.contains("dial_at")) {
      if (!l.enqueue_at) fail(join(path, "dial_at"), "only with enqueue_at");
      l.dial_at = time(tt, v["dial_at"], join(path, "dial_at"));
    }
    l.call_ms = v.contains("call_seconds")
                    ? duration(v["call_seconds"], kSecondMs, join(path, "call_seconds"))
                    : d.call_ms;
    l.webhook_delay_ms =
        v.contains("webhook_delay_seconds")
            ? duration(v["webhook_delay_seconds"], kSecondMs, join(path, "webhook_delay_seconds"))
            : d.webhook_delay_ms;
    if (v.contains("outcomes")) {
      const json& o = v["outcomes"];
      if (!o.is_array()) fail(join(path, "outcomes"), "expected an array");
      for (std::size_t i = 0; i < o.size(); ++i)
        l.outcomes.push_back(outcome(tt, o[i], index(join(path, "outcomes"), i)));
    }
    return l;
  }

  EventSpec event(const TimeText& tt, const json& v, const std::string& path,
                  const std::set<std::string>& lead_ids) const {
    if (!v.is_object()) fail(path, "expected an object");
    if (!v.contains("type")) fail(join(path, "type"), "missing");
    std::string type = str(v["type"], join(path, "type"));
    EventSpec e;
    e.where = path;
    static const EventType all[] = {
        EventType::kRestart,       EventType::kDuplicateWebhook, EventType::kDelayWebhook,
        EventType::kLoseWebhook,   EventType::kWebhook,          EventType::kDialError,
        EventType::kDialTimeout,   EventType::kSlowDialResponse, EventType::kSyncFailure,
        EventType::kStopLead,      EventType::kClockStep,        EventType::kForgetCall,
        EventType::kDialErrorState};
    bool known = false;
    for (EventType t : all)
      if (type == event_type_name(t)) e.type = t, known = true;
    if (!known) fail(join(path, "type"), "unknown event type \"" + type + "\"");

    auto need_call = [&] {
      if (!v.contains("lead_id")) fail(join(path, "lead_id"), "missing");
      e.lead_id = str(v["lead_id"], join(path, "lead_id"));
      if (!lead_ids.count(e.lead_id))
        fail(join(path, "lead_id"), "no lead \"" + e.lead_id + "\" in leads");
      if (!v.contains("call")) fail(join(path, "call"), "missing (1 = the lead's first call)");
      e.call = positive_int(v["call"], join(path, "call"));
    };
    auto need_at = [&] {
      if (!v.contains("at")) fail(join(path, "at"), "missing");
      e.at = time(tt, v["at"], join(path, "at"));
    };
    auto seconds = [&](const char* key, bool required) {
      if (v.contains(key)) {
        e.delay_ms = duration(v[key], kSecondMs, join(path, key));
      } else if (required) {
        fail(join(path, key), "missing");
      }
    };
    switch (e.type) {
      case EventType::kRestart: {
        check_keys(v, path, {"type", "at", "when", "lead_id", "call", "downtime_seconds"});
        std::string when = v.contains("when") ? str(v["when"], join(path, "when")) : "at";
        if (when == "at") {
          need_at();
        } else {
          if (when == "before_ack")
            e.point = RestartPoint::kBeforeAck;
          else if (when == "after_ack")
            e.point = RestartPoint::kAfterAck;
          else if (when == "in_dial")
            e.point = RestartPoint::kInDial;
          else
            fail(join(path, "when"), "expected at, before_ack, after_ack or in_dial");
          if (v.contains("at"))
            fail(join(path, "at"), "not allowed with \"when\": \"" + when + "\"");
          need_call();
        }
        if (v.contains("downtime_seconds"))
          e.downtime_ms =
              duration(v["downtime_seconds"], kSecondMs, join(path, "downtime_seconds"));
        break;
      }
      case EventType::kDuplicateWebhook:
        check_keys(v, path, {"type", "at", "lead_id", "call", "seconds", "times"});
        need_call();
        if (v.contains("at")) e.at = time(tt, v["at"], join(path, "at"));
        seconds("seconds", false);
        if (v.contains("times")) e.times = positive_int(v["times"], join(path, "times"));
        break;
      case EventType::kDelayWebhook:
        check_keys(v, path, {"type", "lead_id", "call", "seconds"});
        need_call();
        seconds("seconds", true);
        break;
      case EventType::kLoseWebhook:
        check_keys(v, path, {"type", "lead_id", "call"});
        need_call();
        break;
      case EventType::kWebhook:
        check_keys(
            v, path,
            {"type", "at", "lead_id", "phone_number", "call_id", "outcome", "state", "list_id"});
        need_at();
        for (const char* k : {"lead_id", "phone_number", "call_id", "outcome"})
          if (!v.contains(k)) fail(join(path, k), "missing");
        e.lead_id = str(v["lead_id"], join(path, "lead_id"));
        e.phone_number = str(v["phone_number"], join(path, "phone_number"));
        e.call_id = str(v["call_id"], join(path, "call_id"));
        e.outcome = outcome(tt, v["outcome"], join(path, "outcome"));
        break;
      case EventType::kDialError:
        check_keys(v, path,
                   {"type", "lead_id", "call", "http_status", "kind", "code", "retry_after_seconds",
                    "times"});
        need_call();
        if (v.contains("kind")) {
          e.refusal_kind = str(v["kind"], join(path, "kind"));
          if (!bland_model::is_refusal_kind(e.refusal_kind))
            fail(join(path, "kind"),
                 "unknown refusal kind \"" + e.refusal_kind +
                     "\" (expected plan_concurrency, plan_daily_minutes, plan_rate, "
                     "rate_limited, same_number, unauthorized, forbidden or server_error)");
        }
        if (v.contains("code")) e.code = str(v["code"], join(path, "code"));
        if (v.contains("http_status"))
          e.http_status = positive_int(v["http_status"], join(path, "http_status"), 100);
        else if (e.refusal_kind.empty())
          fail(join(path, "http_status"), "missing (or give a \"kind\")");
        if (v.contains("retry_after_seconds")) {
          if (!v["retry_after_seconds"].is_null())
            e.retry_after_ms =
                duration(v["retry_after_seconds"], kSecondMs, join(path, "retry_after_seconds"));
        } else if (e.http_status == 429 && e.refusal_kind.empty()) {
          e.retry_after_ms = 10 * kSecondMs;
        }
        if (v.contains("times")) e.times = positive_int(v["times"], join(path, "times"));
        break;
      case EventType::kForgetCall:
        check_keys(v, path, {"type", "lead_id", "call"});
        need_call();
        break;
      case EventType::kDialErrorState:
        check_keys(v, path, {"type", "lead_id", "call", "kind"});
        need_call();
        if (!v.contains("kind")) fail(join(path, "kind"), "missing");
        e.error_state = str(v["kind"], join(path, "kind"));
        if (!bland_model::is_error_state_kind(e.error_state))
          fail(join(path, "kind"),
               "unknown error state \"" + e.error_state +
                   "\" (expected pre_queue_error, queue_error, call_error, complete_error or "
                   "status_error)");
        break;
      case EventType::kDialTimeout:
        check_keys(v, path, {"type", "lead_id", "call", "times"});
        need_call();
        if (v.contains("times")) e.times = positive_int(v["times"], join(path, "times"));
        break;
      case EventType::kSlowDialResponse:
        check_keys(v, path, {"type", "lead_id", "call", "seconds"});
        need_call();
        seconds("seconds", true);
        break;
      case EventType::kSyncFailure:
        check_keys(v, path, {"type", "at"});
        need_at();
        break;
      case EventType::kClockStep: {
        check_keys(v, path, {"type", "at", "step_seconds"});
        need_at();
        const std::string p = join(path, "step_seconds");
        if (!v.contains("step_seconds")) fail(p, "missing");
        const json& st = v["step_seconds"];
        if (!st.is_number_integer() || st.get<long long>() == 0 ||
            std::llabs(st.get<long long>()) > 400LL * 86400)
          fail(p, "expected a non-zero whole number of seconds (negative: back), at most 400 days");
        e.step_ms = st.get<long long>() * kSecondMs;
        break;
      }
      case EventType::kStopLead:
        check_keys(v, path, {"type", "at", "lead_id"});
        need_at();
        if (!v.contains("lead_id")) fail(join(path, "lead_id"), "missing");
        e.lead_id = str(v["lead_id"], join(path, "lead_id"));
        if (!lead_ids.count(e.lead_id))
          fail(join(path, "lead_id"), "no lead \"" + e.lead_id + "\" in leads");
        break;
    }
    return e;
  }

  LeadExpect lead_expect(const TimeText& tt, const json& v, const std::string& path) const {
    check_keys(
        v, path,
        {"attempts", "status", "dials_at", "outcomes", "last_outcome", "next_redial_at", "calls"});
    LeadExpect x;
    if (v.contains("attempts")) x.attempts = positive_int(v["attempts"], join(path, "attempts"), 0);
    if (v.contains("status")) {
      std::string s = str(v["status"], join(path, "status"));
      if (s != "pending" && s != "rescheduled" && s != "completed" && s != "max_attempts" &&
          s != "dnc" && s != "absent")
        fail(join(path, "status"),
             "expected pending, rescheduled, completed, max_attempts, dnc or absent");
      x.status = s;
    }
    if (v.contains("dials_at")) {
      const json& d = v["dials_at"];
      if (!d.is_array()) fail(join(path, "dials_at"), "expected an array of times");
      std::vector<TimeMs> times;
      for (std::size_t i = 0; i < d.size(); ++i)
        times.push_back(time(tt, d[i], index(join(path, "dials_at"), i)));
      x.dials_at = times;
    }
    if (v.contains("outcomes")) x.outcomes = strings(v["outcomes"], join(path, "outcomes"));
    if (v.contains("last_outcome"))
      x.last_outcome = str(v["last_outcome"], join(path, "last_outcome"));
    if (v.contains("next_redial_at"))
      x.next_redial_at = time(tt, v["next_redial_at"], join(path, "next_redial_at"));
    if (v.contains("calls")) x.calls = positive_int(v["calls"], join(path, "calls"), 0);
    return x;
  }

  Scenario scenario(const json& root) const {
    check_keys(root, "",
               {"name", "start", "end", "seed", "config", "defaults", "store", "leads", "events",
                "dnc", "expect"});
    Scenario sc;
    sc.file = file_;
    sc.name = root.contains("name") ? str(root["name"], "name") : file_;
    if (root.contains("seed")) sc.seed = static_cast<std::uint64_t>(integer(root["seed"], "seed"));
    if (root.contains("config")) read_config(*this, root["config"], sc.policy);

    if (!root.contains("start")) fail("start", "missing");
    std::string start = str(root["start"], "start");
    int y = 0;
    unsigned mo = 0, d = 0;
    char tail = 0;
    if (std::sscanf(start.c_str(), "%4d-%2u-%2u%c", &y, &mo, &d, &tail) != 4 || tail != 'T')
      fail("start", "expected \"YYYY-MM-DDTHH:MM[:SS]\", got \"" + start + "\"");
    BusinessCalendar cal(sc.policy.time_zone, sc.policy.business_open_s, sc.policy.business_close_s,
                         sc.policy.business_weekdays);
    sc.time.emplace(cal, y, mo, d);
    const TimeText& tt = *sc.time;
    sc.start = time(tt, root["start"], "start");
    if (root.contains("end")) {
      sc.end = time(tt, root["end"], "end");
      if (*sc.end < sc.start) fail("end", "is before start");
    }

    if (root.contains("defaults")) {
      const json& df = root["defaults"];
      check_keys(df, "defaults",
                 {"call_seconds", "webhook_delay_seconds", "dial_response_seconds",
                  "webhook_retry_seconds", "webhook_dial_seq"});
      if (df.contains("call_seconds"))
        sc.defaults.call_ms = duration(df["call_seconds"], kSecondMs, "defaults.call_seconds");
      if (df.contains("webhook_delay_seconds"))
        sc.defaults.webhook_delay_ms =
            duration(df["webhook_delay_seconds"], kSecondMs, "defaults.webhook_delay_seconds");
      if (df.contains("dial_response_seconds"))
        sc.defaults.dial_response_ms =
            duration(df["dial_response_seconds"], kSecondMs, "defaults.dial_response_seconds");
      if (df.contains("webhook_dial_seq"))
        sc.defaults.webhook_dial_seq = boolean(df["webhook_dial_seq"], "defaults.webhook_dial_seq");
      if (df.contains("webhook_retry_seconds"))
        sc.defaults.webhook_retry_ms =
            duration(df["webhook_retry_seconds"], kSecondMs, "defaults.webhook_retry_seconds");
    }

    if (root.contains("store")) {
      const json& st = root["store"];
      check_keys(st, "store", {"checkpoint_after_mutations"});
      if (st.contains("checkpoint_after_mutations"))
        sc.store.checkpoint_after_mutations = static_cast<std::size_t>(
            positive_int(st["checkpoint_after_mutations"], "store.checkpoint_after_mutations", 0));
    }

    if (root.contains("dnc")) {
      sc.dnc = strings(root["dnc"], "dnc");
      for (std::size_t i = 0; i < sc.dnc.size(); ++i) {
        try {
          DncList::parse(sc.dnc[i], index("dnc", i));
        } catch (const ConfigError&) {
          fail(index("dnc", i), "not a phone number: \"" + sc.dnc[i] + "\"");
        }
      }
    }

    std::set<std::string> lead_ids;
    if (root.contains("leads")) {
      const json& ls = root["leads"];
      if (!ls.is_array()) fail("leads", "expected an array");
      for (std::size_t i = 0; i < ls.size(); ++i) {
        sc.leads.push_back(lead(tt, sc.defaults, ls[i], index("leads", i)));
        if (!lead_ids.insert(sc.leads.back().lead_id).second)
          fail(index("leads", i) + ".lead_id",
               "duplicate lead_id \"" + sc.leads.back().lead_id + "\"");
      }
    }
    std::set<std::string> webhook_ids = lead_ids;
    if (root.contains("events")) {
      const json& es = root["events"];
      if (!es.is_array()) fail("events", "expected an array");
      for (std::size_t i = 0; i < es.size(); ++i) {
        sc.events.push_back(event(tt, es[i], index("events", i), lead_ids));
        webhook_ids.insert(sc.events.back().lead_id);
      }
    }
    if (root.contains("expect")) {
      const json& x = root["expect"];
      check_keys(x, "expect", {"leads", "totals", "violations"});
      if (x.contains("leads")) {
        const json& xl = x["leads"];
        if (!xl.is_object()) fail("expect.leads", "expected an object keyed by lead_id");
        for (auto it = xl.begin(); it != xl.end(); ++it) {
          std::string path = "expect.leads." + it.key();
          if (!webhook_ids.count(it.key()))
            fail(path, "no lead or webhook event with this lead_id");
          sc.expect.leads[it.key()] = lead_expect(tt, it.value(), path);
        }
      }
      if (x.contains("totals")) {
        const json& xt = x["totals"];
        if (!xt.is_object()) fail("expect.totals", "expected an object");
        for (auto it = xt.begin(); it != xt.end(); ++it) {
          std::string path = "expect.totals." + it.key();
          bool ok = false;
          for (const auto& n : kTotalNames) ok = ok || n == it.key();
          if (!ok) fail(path, "unknown total (known: calls, redials, results, ...; see README)");
          sc.expect.totals[it.key()] = integer(it.value(), path);
        }
      }
      if (x.contains("violations"))
        sc.expect.violations = integer(x["violations"], "expect.violations");
    }
    return sc;
  }
};

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file) {
  json root;
  try {
    root = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999 (fuzz_scenario)
    throw ScenarioError(file + ": not valid JSON: " + e.what());
  }
  Loader loader(file);
  try {
    return loader.scenario(root);
  } catch (const ConfigError& e) {
    throw ScenarioError(file + ": config." + e.what());
  } catch (const InputError& e) {
    throw ScenarioError(file + ": " + e.what());
  }
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_scenario(buf.str(), path);
}

}  // namespace redial::sim
