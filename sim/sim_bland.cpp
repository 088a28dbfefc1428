#include "sim/sim_bland.h"

#include <date/date.h>

#include <cassert>

#include "bland_model/call_objects.h"
#include "bland_model/refusals.h"
#include "core/settings_schema.h"
#include "sim/simulation.h"

namespace redial::sim {

using nlohmann::json;

namespace {

// Bland's rule: a second call to one number within about 10 s is refused (bland-api-notes.md).
constexpr TimeMs kSameNumberWindowMs = 10 * kSecondMs;

TimeMs schema_duration(const char* name) {
  const SettingSpec* s = find_setting(name);
  assert(s != nullptr);
  return parse_setting_duration(*s, s->default_text);
}

std::string iso_utc(TimeMs t) {
  using namespace std::chrono;
  return date::format("%FT%TZ", date::floor<milliseconds>(sys_time<milliseconds>(milliseconds(t))));
}

// The refusal kind for a scenario's plain http_status.
std::string kind_for_status(int status) {
  if (status == 429) return "same_number";  // a per-lead wait, as the scenario format promises
  if (status == 401) return "unauthorized";
  if (status == 403) return "forbidden";
  if (status >= 500) return "server_error";
  return "";
}

std::string str_field(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bland::BlandDialerConfig sim_dialer_config() {
  bland::BlandDialerConfig c;
  c.base_url = "https://api.bland.ai";
  c.api_key = "sim";
  const SettingSpec* retries = find_setting("dial-retries");
  assert(retries != nullptr);
  c.dial_retries = static_cast<int>(parse_setting_int(*retries, retries->default_text));
  c.dial_backoff_ms = schema_duration("dial-backoff");
  c.http_timeout_ms = schema_duration("http-timeout");
  c.plan_limit_backoff_ms = schema_duration("plan-limit-backoff");
  c.plan_limit_backoff_max_ms = schema_duration("plan-limit-backoff-max");
  return c;
}

void SimBland::add_fault(const std::string& lead_id, int call, DialFault fault) {
  faults_[{lead_id, call}].push_back(std::move(fault));
}

std::optional<DialFault> SimBland::next_fault(const std::string& lead_id, int call) {
  auto it = faults_.find({lead_id, call});
  if (it == faults_.end() || it->second.empty()) return std::nullopt;
  DialFault f = std::move(it->second.front());
  it->second.pop_front();
  return f;
}

void SimBland::register_call(const std::string& call_id, const std::string& lead_id, int call,
                             PlacedCall placed) {
  placed.forgotten = to_forget_.count({lead_id, call}) > 0;
  if (placed.forgotten) sim_.trace("bland", placed.lead_key, "will forget " + call_id);
  calls_[call_id] = std::move(placed);
}

void SimBland::send(const bland::HttpCall& call, Done done) {
  static const std::string kGetPrefix = "/v1/calls/";
  if (call.method == "POST" && call.url.size() >= 9 &&
      call.url.compare(call.url.size() - 9, 9, "/v1/calls") == 0)
    return post_call(call, std::move(done));
  const std::size_t at = call.url.find(kGetPrefix);
  if (call.method == "GET" && at != std::string::npos)
    return get_call(call.url.substr(at + kGetPrefix.size()), std::move(done));
  bland::HttpReply r;
  r.status = 404;
  r.body = bland_model::error_body("No such endpoint (simulated Bland): " + call.url, "");
  answer(sim_.scenario().defaults.dial_response_ms, "answer to " + call.url, std::move(done), r);
}

void SimBland::answer(TimeMs delay_ms, const std::string& label, Done done,
                      bland::HttpReply reply) {
  reply.elapsed_ms = delay_ms;
  sim_.at_same_process(sim_.now() + delay_ms, label,
                       [done = std::move(done), reply = std::move(reply)] { done(reply); });
}

void SimBland::refuse(const DialFault& f, const std::string& key, const std::string& phone,
                      const std::string& label, Done done) {
  ++refused_posts_;
  std::string kind = f.refusal_kind.empty() ? kind_for_status(f.http_status) : f.refusal_kind;
  std::optional<double> retry_s;
  if (f.retry_after_ms) retry_s = static_cast<double>(*f.retry_after_ms) / kSecondMs;
  bland::HttpReply r;
  if (auto refusal = bland_model::dial_refusal(kind, f.code, retry_s, phone)) {
    r.status = refusal->status;
    r.body = refusal->body;
    if (refusal->retry_after_s) r.headers["retry-after"] = std::to_string(*refusal->retry_after_s);
  } else {
    r.status = 400;
    r.body = bland_model::error_body("Invalid request (simulated)", f.code);
  }
  if (f.http_status != 0 && kind != "same_number") r.status = f.http_status;  // e.g. 500, 502
  sim_.trace(
      "bland", key,
      "refuses " + label + ": HTTP " + std::to_string(r.status) + (kind.empty() ? "" : " " + kind) +
          (r.headers.count("retry-after") ? ", Retry-After " + r.headers["retry-after"] : ""));
  answer(sim_.scenario().defaults.dial_response_ms, label, std::move(done), std::move(r));
}

void SimBland::post_call(const bland::HttpCall& http, Done done) {
  const json body = json::parse(http.body);  // the production dialer's body: always JSON
  const json& meta = body.at("metadata");
  const std::string key = str_field(meta, "lead_key");
  const std::string phone = str_field(body, "phone_number");
  const std::uint64_t dial_seq = meta.at("dial_seq").get<std::uint64_t>();
  SimLead& lead = sim_.lead_by_key(key);
  const std::string label = "answer to dial #" + std::to_string(dial_seq);
  std::optional<DialFault> fault = next_fault(lead.spec.lead_id, lead.calls + 1);
  if (fault && fault->kind == DialFault::kHttpError)
    return refuse(*fault, key, phone, label, std::move(done));
  if (fault && fault->kind == DialFault::kTimeout) {
    ++refused_posts_;
    sim_.trace("bland", key, "never answers dial #" + std::to_string(dial_seq) + "; no call");
    bland::HttpReply r;
    r.error = "Timeout was reached (simulated)";
    r.curl_code = 28;  // CURLE_OPERATION_TIMEDOUT
    r.request_sent_unknown = true;
    return answer(http.timeout_ms, label, std::move(done), std::move(r));
  }
  const TimeMs now = sim_.now();
  auto last = last_accepted_ms_.find(phone);
  if (last != last_accepted_ms_.end() && now - last->second < kSameNumberWindowMs) {
    DialFault same;
    same.refusal_kind = "same_number";
    return refuse(same, key, phone, label, std::move(done));
  }
  last_accepted_ms_[phone] = now;
  const std::string error_state =
      fault && fault->kind == DialFault::kErrorState ? fault->error_state : "";
  const std::string call_id = sim_.connect(lead, now, dial_seq, http.body, error_state);
  TimeMs delay = sim_.scenario().defaults.dial_response_ms;
  if (fault && fault->kind == DialFault::kSlowResponse) delay = fault->delay_ms;
  bland::HttpReply r;
  if (delay >= http.timeout_ms) {  // the call is placed, but the dialer never hears of it
    sim_.trace("bland", key, "answers dial #" + std::to_string(dial_seq) + " after the time-out");
    r.error = "Timeout was reached (simulated)";
    r.curl_code = 28;
    r.request_sent_unknown = true;
    return answer(http.timeout_ms, label, std::move(done), std::move(r));
  }
  r.status = 200;
  r.body =
      json{{"status", "success"}, {"message", "Call successfully queued."}, {"call_id", call_id}}
          .dump();
  answer(delay, label, std::move(done), std::move(r));
}

void SimBland::get_call(const std::string& call_id, Done done) {
  const std::string label = "answer to GET " + call_id;
  bland::HttpReply r;
  auto it = calls_.find(call_id);
  if (it == calls_.end() || it->second.forgotten) {
    sim_.trace("bland", it == calls_.end() ? "" : it->second.lead_key,
               "GET " + call_id + ": 404, Bland does not know the call");
    r.status = 404;
    r.body = bland_model::error_body("Call not found", "");
  } else {
    json o = call_object(call_id, it->second);
    sim_.trace("bland", it->second.lead_key,
               "GET " + call_id + ": " + (o.value("completed", false) ? "ended" : "not ended") +
                   (it->second.error_state.empty() ? "" : ", " + it->second.error_state));
    r.status = 200;
    r.body = o.dump();
  }
  answer(sim_.scenario().defaults.dial_response_ms, label, std::move(done), std::move(r));
}

json SimBland::request_of(const PlacedCall& c, const LeadSpec* lead) const {
  if (!c.request_body.empty()) return json::parse(c.request_body);
  // A call placed outside the queue: its placer's metadata names the lead (no dial_seq).
  json req = json::object();
  if (lead == nullptr) return req;
  req["phone_number"] = lead->phone_number;
  req["metadata"] = {{"lead_id", lead->lead_id},       {"phone_number", lead->phone_number},
                     {"list_id", lead->list_id},       {"state", lead->state},
                     {"first_name", lead->first_name}, {"last_name", lead->last_name}};
  return req;
}

// The ended (or running, or error-state) call object for a call Bland knows.
json SimBland::call_object(const std::string& call_id, const PlacedCall& c) const {
  const SimLead* lead = sim_.find_lead_by_key(c.lead_key);
  const json req = request_of(c, lead ? &lead->spec : nullptr);
  const std::string created = iso_utc(c.created_ms);
  if (!c.error_state.empty())
    return bland_model::error_state_object(bland_model::running_call_object(call_id, req, created),
                                           c.error_state);
  if (sim_.now() < c.end_ms) return bland_model::running_call_object(call_id, req, created);
  json o = bland_model::ended_call_object(call_id, req, c.outcome.outcome, created);
  if (c.outcome.callback_at) o["metadata"]["scheduled_callback_time"] = *c.outcome.callback_at;
  // An outcome Bland has no shape for (a custom one, or one the queue does not know): the
  // pathway names it in its variables, which the outcome mapping reads first.
  if (!sim_.scenario().policy.is_known(c.outcome.outcome))
    o["variables"]["outcome"] = c.outcome.outcome;
  if (!sim_.scenario().defaults.webhook_dial_seq && o["metadata"].is_object())
    o["metadata"].erase("dial_seq");
  return o;
}

json SimBland::webhook_body(const std::string& call_id, const LeadSpec& lead,
                            const OutcomeSpec& outcome) const {
  PlacedCall c;
  if (auto it = calls_.find(call_id); it != calls_.end()) {
    c = it->second;
  } else {  // not a call Bland placed (a scenario's webhook): metadata from the scenario's lead
    c.request_body = request_of(PlacedCall{}, &lead).dump();
  }
  c.outcome = outcome;
  c.error_state.clear();
  c.end_ms = 0;  // a webhook is sent once the call is over
  return call_object(call_id, c);
}

bland::Timers::TimerId SimTimers::add_timer(std::int64_t delay_ms, std::function<void()> cb) {
  assert(delay_ms >= 0);
  const TimerId id = ++next_id_;
  pending_.insert(id);
  sim_.at_same_process(sim_.now() + delay_ms, "timer", [this, id, cb = std::move(cb)] {
    if (pending_.erase(id) == 0) return;  // cancelled
    cb();
  });
  return id;
}

}  // namespace redial::sim
