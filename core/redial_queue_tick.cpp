// RedialQueue's processing: the seed's processQueue (tick) and the ready selection it uses.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <limits>

#include "core/errors.h"
#include "core/phone.h"
#include "core/queue_internal.h"
#include "core/redial_queue.h"
#include "core/shared_store.h"

namespace redial {

using namespace internal;

std::vector<ReadyLead> RedialQueue::ready(TimeMs now) const {
  std::vector<ReadyLead> out;
  if (!calendar_.is_open(now)) return out;
  const TimeMs from = window_start(calendar_.local_day(now));
  for (auto it = ready_index_.begin(); it != ready_index_.end() && it->first <= now; ++it) {
    if (in_ready_window(it->second->second.record, from))
      out.push_back({it->second->first, it->first});
  }
  return out;
}

TimeMs RedialQueue::call_age_ms(const InFlightCall& call) {
  const TimeMs mono = clock_.mono_ms();
  // A call from the journal: its age by the wall clock, never negative (a wall clock set back
  // since the dial gives it a whole time-out from now rather than none).
  const TimeMs dialed_mono = in_flight_.dialed_mono_ms(
      call.dial_seq, [&] { return mono - std::max<TimeMs>(0, clock_.now_ms() - call.dialed_at); });
  return mono - dialed_mono;
}

void RedialQueue::expire_calls(TimeMs now, TickSummary& summary) {
  std::vector<InFlightCall> expired;
  for (const auto& [phone, call] : in_flight_.by_phone())
    if (call_age_ms(call) >= policy_.call_timeout_ms && !in_flight_.reconciling(phone))
      expired.push_back(call);
  std::sort(expired.begin(), expired.end(), [](const auto& a, const auto& b) {
    return a.dialed_at != b.dialed_at ? a.dialed_at < b.dialed_at : a.phone < b.phone;
  });
  for (const auto& call : expired) {
    if (dialer_.reconcile(call)) {
      in_flight_.mark_reconciling(call.phone);
      emit(now, "reconcile", call.key, "no result after call timeout; asking the dialer");
      continue;
    }
    if (release_call(call.dial_seq, "no result after call timeout")) ++summary.calls_released;
  }
}

// Phase 1: the global checks; empty when the tick may dial.
std::string RedialQueue::global_skip_reason(TimeMs now) const {
  if (!policy_.enabled || !queue_switch_.enabled) {
    REDIAL_LOG(log_, info, "Redial queue disabled, skipping processing");
    return "disabled";
  }
  if (!calendar_.is_open(now)) {
    REDIAL_LOG(log_, info,
               "Outside business hours, skipping redial processing {{\"local_time\":\"{}\"}}",
               esc(calendar_.format_local(now)));
    return "outside business hours";
  }
  if (std::string paused = dialer_.paused_reason(); !paused.empty())
    return "dialing paused: " + paused;  // the dialer logs the pause once
  return {};
}

// Phases 2-3: the four filters, through the index: only due leads are visited. Favorable
// status and max attempts are the index's own condition; due leads outside the window will
// never be in it again (days only move forward) and leave the index.
std::vector<const std::string*> RedialQueue::select_due(TimeMs now) {
  const TimeMs from = window_start(calendar_.local_day(now));
  std::vector<const std::string*> due;
  std::size_t out_of_window = 0;
  // A shared store: only the leads this runner claimed (their records read fresh); the rules
  // below are the same.
  if (store_.shared()) due = claim_due(now, from);
  for (auto it = ready_index_.begin();
       !store_.shared() && it != ready_index_.end() && it->first <= now;) {
    Slot& slot = it->second->second;
    if (!in_ready_window(slot.record, from)) {
      slot.indexed_due = -1;
      it = ready_index_.erase(it);
      ++out_of_window;
      continue;
    }
    due.push_back(&it->second->first);
    ++it;
  }
  REDIAL_LOG(log_, info, "Filtered to today's records {{\"count\":{},\"outside_window\":{}}}",
             due.size(), out_of_window);
  REDIAL_LOG(log_, info, "Filtered to favorable statuses {{\"count\":{}}}", due.size());
  REDIAL_LOG(log_, info, "Filtered to under max attempts {{\"count\":{}}}", due.size());
  REDIAL_LOG(log_, info, "Ready leads identified {{\"count\":{}}}", due.size());
  return due;
}

void RedialQueue::unindex(SlotMap::iterator it) {
  ready_index_.erase({it->second.indexed_due, &*it});
  it->second.indexed_due = -1;
}

// Phase 4, the lead's own checks: the normalized number to dial, or nullopt (counted in the
// summary) when the lead is skipped, on a do-not-call list, or held by a calling rule.
std::optional<std::string> RedialQueue::check_lead(SlotMap::iterator it, TimeMs now,
                                                   TickSummary& summary) {
  const std::string& key = it->first;
  LeadRecord& rec = it->second.record;
  if (rec.lead_id.empty() || rec.phone_number.empty()) {
    ++summary.skipped;
    emit(now, "skip", key, "missing lead_id or phone_number");
    return std::nullopt;
  }
  if (rec.attempts >= policy_.max_attempts || !is_open_status(rec.status)) {
    ++summary.skipped;
    emit(now, "skip", key, "no longer dialable");
    return std::nullopt;
  }
  std::string phone;
  try {
    phone = normalize_phone(rec.phone_number);
  } catch (const InputError& e) {
    ++summary.errors;
    REDIAL_LOG(log_, err,
               "Lead has an unusable phone number, not dialed {{\"key\":\"{}\",\"error\":\"{}\"}}",
               esc(key), esc(e.what()));
    emit(now, "error", key, e.what());
    unindex(it);
    return std::nullopt;
  }
  if (is_do_not_call(phone)) {
    ++summary.dnc;
    unindex(it);
    mark_dnc(it, phone, "number on the do-not-call list");
    return std::nullopt;
  }
  if (in_flight_.find_phone(phone) != nullptr) {
    push_back_busy(it, now);
    ++summary.skipped;
    return std::nullopt;
  }
  if (hold_by_rules(it, phone, now)) {
    ++summary.held;
    return std::nullopt;
  }
  return phone;
}

// A call to the lead's number is in flight: the lead waits active_call_pushback_ms.
void RedialQueue::push_back_busy(SlotMap::iterator it, TimeMs now) {
  LeadRecord& rec = it->second.record;
  rec.next_redial_timestamp = now + policy_.active_call_pushback_ms;
  rec.updated_at = now;
  put(it);
  REDIAL_LOG(log_, info,
             "Skipping lead: active call in progress {{\"key\":\"{}\",\"pushed_to\":\"{}\"}}",
             esc(it->first), esc(calendar_.format_local(rec.next_redial_timestamp)));
  emit(now, "skip", it->first,
       "call in flight, pushed to " + calendar_.format_local_time(rec.next_redial_timestamp));
}

// Calling rules: a held lead moves to the first instant every rule allows, with the rule that
// held it, instead of being re-checked every tick. True when a rule held it.
bool RedialQueue::hold_by_rules(SlotMap::iterator it, const std::string& phone, TimeMs now) {
  LeadRecord& rec = it->second.record;
  const LeadLocation where = rules_->locate(phone, rec.state);
  auto hold = rules_->check(where, now, {rec.recent_call_times, phone_calls(phone, now)});
  if (!hold) return false;
  rec.next_redial_timestamp = hold->until;
  rec.hold_reason = hold->rule;
  rec.updated_at = now;
  put(it);
  REDIAL_LOG(log_, info,
             "Lead held by calling rule {{\"key\":\"{}\",\"rule\":\"{}\",\"until\":\"{}\"}}",
             esc(it->first), esc(hold->rule), esc(calendar_.format_local(hold->until)));
  if (listener_)
    emit(now, "hold", it->first,
         hold->rule + " until " + calendar_.format_local(hold->until) +
             (where.zone_assumed ? " (lead zone unknown; business zone assumed)" : ""),
         hold->until);
  return true;
}

// The lead passed every check: its call goes in flight (journaled), to be dialed after the sync.
DialRequest RedialQueue::start_call(SlotMap::iterator it, const std::string& phone, TimeMs now) {
  LeadRecord& rec = it->second.record;
  note_call(rec, phone, now);
  rec.hold_reason.reset();
  put(it);
  InFlightCall call{next_dial_seq_++, phone, it->first, "", now};
  in_flight_.add(call);
  store_.append(CallStarted{call});
  return DialRequest{call.dial_seq, it->first, dialable_phone(phone), rec, rec.attempts + 1};
}

// Phase 4: the per-lead checks and the concurrency limit; the calls to place.
std::vector<DialRequest> RedialQueue::check_leads(const std::vector<const std::string*>& due,
                                                  TimeMs now, TickSummary& summary) {
  const std::size_t capacity = policy_.max_concurrent_calls > 0
                                   ? static_cast<std::size_t>(policy_.max_concurrent_calls)
                                   : SIZE_MAX;
  std::vector<DialRequest> to_dial;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const std::string key = *due[i];
    auto it = records_.find(key);
    if (it == records_.end()) {
      ++summary.skipped;
      continue;
    }
    const std::optional<std::string> phone = check_lead(it, now, summary);
    if (!phone) continue;
    if (in_flight_.size() >= capacity) {
      ++summary.skipped;
      emit(now, "skip", key, "concurrency limit reached; next tick");
      continue;
    }
    // Dial limits: the tick stops dialing; this lead and the rest stay where they are.
    if (auto limit = rate_limits_.hold(now)) {
      note_rate_hold(*limit, std::span(due).subspan(i), summary);
      break;
    }
    to_dial.push_back(start_call(it, *phone, now));
  }
  return to_dial;
}

// The calls in flight are durable before any call is placed; then their time-outs start.
void RedialQueue::commit_calls(const std::vector<DialRequest>& to_dial) {
  // Leases of claimed leads not dialed go back.
  if (SharedStore* shared = store_.shared()) shared->release_undialed();
  store_.sync();
  // The call time-out runs from the dial, not from the start of a tick whose sync may have
  // stalled; the journal keeps the earlier time, which only errs towards an earlier reconcile.
  const TimeMs dialed_at = clock_.now_ms(), dialed_mono = clock_.mono_ms();
  for (const auto& req : to_dial) {
    InFlightCall* call = in_flight_.find_dial(req.dial_seq);
    assert(call != nullptr);  // nothing ends a call between its start and this sync
    call->dialed_at = dialed_at;
    in_flight_.set_dialed_mono_ms(req.dial_seq, dialed_mono);
  }
}

// Phase 5: dial.
void RedialQueue::place_calls(const std::vector<DialRequest>& to_dial, TimeMs now,
                              TickSummary& summary) {
  for (const auto& req : to_dial) {
    REDIAL_LOG(log_, info, "CALLING: All safety checks passed {{\"key\":\"{}\",\"attempt\":{}}}",
               esc(req.key), req.attempt_number);
    if (listener_) emit(now, "dial", req.key, "attempt " + std::to_string(req.attempt_number));
    try {
      dialer_.dial(req);
      // A dialer may report a failure from inside dial(); then it was no call.
      if (in_flight_.has_dial(req.dial_seq)) {
        ++summary.calls_made;
        REDIAL_LOG(log_, info, "CALL INITIATED: Redial successful {{\"key\":\"{}\"}}",
                   esc(req.key));
      }
    } catch (const std::exception& e) {
      REDIAL_LOG(log_, err, "Redial failed {{\"key\":\"{}\",\"error\":\"{}\"}}", esc(req.key),
                 esc(e.what()));
      on_dial_failed(req.dial_seq, e.what());
    }
  }
}

// Phase 6: summary.
void RedialQueue::finish_tick(const TickSummary& summary, TimeMs now) {
  REDIAL_LOG(log_, info,
             "Redial queue processing completed {{\"total_ready\":{},\"calls_made\":{},"
             "\"skipped\":{},\"errors\":{}}}",
             summary.total_ready, summary.calls_made, summary.skipped, summary.errors);
  emit(now, "tick", "",
       "ready " + std::to_string(summary.total_ready) + ", dialed " +
           std::to_string(summary.calls_made) + ", skipped " + std::to_string(summary.skipped) +
           ", held " + std::to_string(summary.held) + ", dnc " + std::to_string(summary.dnc) +
           ", errors " + std::to_string(summary.errors));
  last_tick_ = summary;
}

TickSummary RedialQueue::tick() {
  const TimeMs now = clock_.now_ms();
  TickSummary summary;
  summary.at = now;
  if (ticking_) {  // a dialer that ticks from inside dial(): never run two at once
    summary.skipped_reason = "already processing";
    return summary;
  }
  ticking_ = true;
  active_summary_ = &summary;
  struct Reset {
    RedialQueue* q;
    ~Reset() {
      q->ticking_ = false;
      q->active_summary_ = nullptr;
    }
  } reset{this};
  last_tick_mono_ms_ = clock_.mono_ms();

  // Phase 1: global checks (calls in flight that outlived their time-out are settled first).
  expire_calls(now, summary);
  summary.skipped_reason = global_skip_reason(now);
  if (!summary.skipped_reason.empty()) {
    store_.sync();
    emit(now, "tick", "", "skipped: " + summary.skipped_reason);
    last_tick_ = summary;
    return summary;
  }
  summary.ran = true;
  REDIAL_LOG(log_, info,
             "Redial queue processing started {{\"total_records\":{},\"max_attempts\":{}}}",
             records_.size(), policy_.max_attempts);
  const std::vector<const std::string*> due = select_due(now);
  summary.total_ready = static_cast<int>(due.size());
  const std::vector<DialRequest> to_dial = check_leads(due, now, summary);
  commit_calls(to_dial);
  place_calls(to_dial, now, summary);
  finish_tick(summary, now);
  return summary;
}

void RedialQueue::note_rate_hold(const DialHold& hold, std::span<const std::string* const> rest,
                                 TickSummary& summary) {
  const int n = static_cast<int>(rest.size());
  summary.held += n;
  (hold.pacing ? summary.paced : summary.rate_limited) += n;
  summary.limit_rule = hold.rule;
  DialRateLimiter::log_hold(*log_, hold, *rest.front(), rest.size());
  if (!listener_) return;
  const std::string detail = hold.rule + " until " + calendar_.format_local(hold.until);
  for (const std::string* key : rest) emit(summary.at, "hold", *key, detail, hold.until);
}

}  // namespace redial
