#include "core/redial_queue.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <limits>
#include <unordered_set>
#include <utility>

#include "core/errors.h"
#include "core/phone.h"
#include "core/queue_internal.h"
#include "core/result_decision.h"
#include "core/shared_store.h"

namespace redial {

using namespace internal;

RedialQueue::RedialQueue(RedialPolicy policy, const Clock& clock, Store& store, Dialer& dialer,
                         std::shared_ptr<spdlog::logger> logger)
    : policy_((policy.validate(), std::move(policy))),
      rate_limits_(policy_),
      calendar_(policy_.time_zone, policy_.business_open_s, policy_.business_close_s,
                policy_.business_weekdays),
      clock_(clock),
      store_(store),
      dialer_(dialer),
      log_(logger ? std::move(logger) : spdlog::default_logger()) {}

RedialQueue::~RedialQueue() = default;

void RedialQueue::load() {
  assert(!loaded_ && records_.empty() && in_flight_.empty());  // REQUIRES: called once, first
  loaded_ = true;
  if (!rules_) rules_ = CallingRules::from_policy(policy_);
  if (!dnc_list_ && !policy_.dnc_file.empty())
    dnc_list_ = std::make_shared<const DncList>(DncList::load(policy_.dnc_file));
  if (!policy_.federal_window)
    REDIAL_LOG(log_, warn,
               "Federal calling window is OFF: redials may be placed outside 08:00-21:00 in the "
               "lead's local time {{\"setting\":\"federal_window\"}}");
  StoreState state = store_.load();
  const TimeMs now = clock_.now_ms();
  load_records(state.records, now);
  load_seen(state.seen, now);
  load_in_flight(state.in_flight);
  REDIAL_LOG(log_, info,
             "Loaded redial queue records {{\"count\":{},\"month\":\"{}\",\"calls_in_flight\":{}}}",
             records_.size(), esc(month_name(calendar_.month_of(clock_.now_ms()))),
             in_flight_.size());
}

void RedialQueue::load_records(std::vector<StoredRecord>& records, TimeMs now) {
  records_.reserve(records.size());
  // Due leads already outside the ready window are left out of the index (counted, not
  // indexed), as tick() drops them with the same condition: days only move forward, so they can
  // never be ready again unless their record changes, and every change reindexes. A shared
  // store's index keeps them (its tick() does too).
  const TimeMs from = window_start(calendar_.local_day(now));
  const bool prune = !store_.shared();
  for (auto& sr : records) {
    auto [it, inserted] = records_.try_emplace(std::move(sr.key));
    it->second.record = std::move(sr.record);
    it->second.month = sr.month;
    if (it->second.record.last_call_id)
      it->second.call_id_hashes.push(hash_call_id(*it->second.record.last_call_id),
                                     kCallIdsRemembered);
    const std::optional<TimeMs> due = due_time(it->second.record);
    if (prune && due && std::max<TimeMs>(*due, 0) <= now &&
        !in_ready_window(it->second.record, from)) {
      it->second.counted_as = it->second.record.status;
      ++count_of(counts_, it->second.record.status);
    } else {
      reindex(it);
    }
    // Only the few records with recent calls or a do-not-call status need their number.
    const LeadRecord& rec = it->second.record;
    rate_limits_.add_calls(rec.recent_call_times);
    if (rec.status == LeadStatus::kDnc || !rec.recent_call_times.empty()) {
      try {
        std::string phone = normalize_phone(rec.phone_number);
        if (rec.status == LeadStatus::kDnc) dnc_phones_.insert(phone);
        auto& calls = calls_by_phone_[phone];
        calls.insert(calls.end(), rec.recent_call_times.begin(), rec.recent_call_times.end());
      } catch (const InputError&) {
        // An unusable number is reported when the lead comes up for a dial.
      }
    }
  }
  for (auto& [phone, calls] : calls_by_phone_) std::sort(calls.begin(), calls.end());
}

void RedialQueue::load_seen(std::vector<CallSeen>& seen_calls, TimeMs now) {
  const TimeMs horizon = now - policy_.duplicate_window_ms;
  std::sort(seen_calls.begin(), seen_calls.end(),
            [](const auto& a, const auto& b) { return a.at < b.at; });
  std::unordered_set<std::string> loaded_ids;  // "key\ncall_id"
  for (auto& seen : seen_calls) {
    auto it = records_.find(seen.key);
    if (it == records_.end() || seen.at < horizon) continue;
    const std::uint64_t h = hash_call_id(seen.call_id);
    if (!loaded_ids.insert(seen.key + '\n' + seen.call_id).second) continue;  // listed twice
    if (!it->second.call_id_hashes.contains(h)) remember_call_id(it->second, h);
    // Kept for the next checkpoint even when it is the record's last_call_id (already in the
    // hashes): otherwise it drops out of the snapshot once a newer call is recorded.
    recent_.push_back(std::move(seen));
  }
}

void RedialQueue::load_in_flight(std::vector<InFlightCall>& calls) {
  for (auto& call : calls) {
    next_dial_seq_ = std::max(next_dial_seq_, call.dial_seq + 1);
    in_flight_.add(std::move(call));
  }
}

std::optional<TimeMs> RedialQueue::due_time(const LeadRecord& r) const {
  if (r.attempts >= policy_.max_attempts) return std::nullopt;
  if (r.status == LeadStatus::kPending) return r.next_redial_timestamp;
  if (r.status == LeadStatus::kRescheduled)
    return std::max(r.next_redial_timestamp, r.scheduled_callback_time.value_or(0));
  return std::nullopt;
}

TimeMs RedialQueue::window_start(LocalDay today) const {
  if (policy_.ready_window_days == 0) return std::numeric_limits<TimeMs>::min();
  // local_day(t) > today - N exactly when t is at or after the start of local day today - N + 1.
  return calendar_.start_of_day(today - policy_.ready_window_days + 1);
}

bool RedialQueue::in_ready_window(const LeadRecord& r, TimeMs window_start) const {
  return r.status == LeadStatus::kRescheduled || r.created_at >= window_start;
}

void RedialQueue::reindex(SlotMap::iterator it) {
  Slot& slot = it->second;
  SlotMap::value_type* key = &*it;
  if (slot.indexed_due >= 0) ready_index_.erase({slot.indexed_due, key});
  slot.indexed_due = -1;
  if (auto due = due_time(slot.record)) {
    slot.indexed_due = std::max<TimeMs>(*due, 0);
    ready_index_.insert({slot.indexed_due, key});
  }
  if (slot.counted_as) --count_of(counts_, *slot.counted_as);
  slot.counted_as = slot.record.status;
  ++count_of(counts_, slot.record.status);
}

void RedialQueue::erase_record(SlotMap::iterator it) {
  if (it->second.indexed_due >= 0) ready_index_.erase({it->second.indexed_due, &*it});
  if (it->second.counted_as) --count_of(counts_, *it->second.counted_as);
  records_.erase(it);
}

void RedialQueue::put(SlotMap::iterator it) {
  store_.append(RecordPut{it->second.month, it->first, it->second.record});
  reindex(it);
}

void RedialQueue::remember_call_id(Slot& slot, std::uint64_t id_hash) {
  slot.call_id_hashes.push(id_hash, kCallIdsRemembered);
}

void RedialQueue::emit(TimeMs at, const char* kind, const std::string& key, std::string detail,
                       TimeMs until_ms) {
  if (listener_) listener_(QueueEvent{at, kind, key, std::move(detail), until_ms});
}

namespace {

// The decision's wording for the trace (formatting local times is not free: tracing only).
std::string decision_text(ResultKind kind, const LeadRecord& rec, const CallResult& r,
                          const BusinessCalendar& cal, const RedialPolicy& policy) {
  switch (kind) {
    case ResultKind::kDoNotCall:
      return "do not call (number on the internal list)";
    case ResultKind::kStaysClosed:
      return "recorded; lead stays " + std::string(status_name(rec.status));
    case ResultKind::kCompleted:
      return policy.is_success(r.outcome) ? "completed (success)" : "completed (never retried)";
    case ResultKind::kMaxAttempts:
      return "max attempts reached";
    case ResultKind::kRescheduled:
      return "rescheduled to " + cal.format_local(*r.scheduled_callback_time);
    case ResultKind::kPending:
      return "next redial " + cal.format_local(rec.next_redial_timestamp);
  }
  return {};
}

}  // namespace

std::optional<ApplyResult> RedialQueue::shared_duplicate(const CallResult& r,
                                                         const std::string& key,
                                                         const std::string& phone, TimeMs now,
                                                         bool& ended_a_runners_call) {
  SharedStore* shared = store_.shared();
  if (!shared) return std::nullopt;
  // Several runners: the database decides what is a duplicate, and the record is read fresh
  // under a row lock held until the sync that makes this result durable.
  lock_and_refresh(key);
  const auto recorded = shared->record_call_id(r.call_id, key, phone, now);
  ended_a_runners_call = recorded == SharedStore::Recorded::kEndedCall;
  if (recorded != SharedStore::Recorded::kDuplicate) return std::nullopt;
  const InFlightCall* flight = in_flight_.find_phone(phone);
  if (flight != nullptr && flight->call_id == r.call_id)
    end_call(phone, "duplicate result of the call in flight");
  log_->info("Duplicate webhook ignored {{\"key\":\"{}\",\"call_id\":\"{}\"}}", esc(key),
             esc(r.call_id));
  emit(now, "duplicate", key, "call " + r.call_id + " already recorded; attempts unchanged");
  const LeadRecord* known = find(key);
  return ApplyResult{ApplyKind::kDuplicate, key, known ? known->status : LeadStatus::kPending,
                     known ? known->attempts : 0};
}

std::optional<ApplyResult> RedialQueue::local_duplicate(const CallResult& r, const Slot& slot,
                                                        const std::string& key,
                                                        const std::string& phone, TimeMs now) {
  const bool seen = slot.record.last_call_id == r.call_id ||
                    slot.call_id_hashes.contains(hash_call_id(r.call_id));
  if (!seen) return std::nullopt;
  // Only a duplicate naming the call in flight ends it: a copy of an older call's webhook
  // must not end a newer dial that has no call id yet (that call may still be ringing).
  const InFlightCall* flight = in_flight_.find_phone(phone);
  if (flight != nullptr && flight->call_id == r.call_id)
    end_call(phone, "duplicate result of the call in flight");
  REDIAL_LOG(log_, info, "Duplicate webhook ignored {{\"key\":\"{}\",\"call_id\":\"{}\"}}",
             esc(key), esc(r.call_id));
  emit(now, "duplicate", key, "call " + r.call_id + " already recorded; attempts unchanged");
  return ApplyResult{ApplyKind::kDuplicate, key, slot.record.status, slot.record.attempts};
}

bool RedialQueue::result_ends_flight(const CallResult& r, const std::string& key,
                                     const std::string& phone) const {
  const InFlightCall* flight = in_flight_.find_phone(phone);
  // The result ends the call in flight if it names it, or if that dial has not been answered
  // yet (Bland's webhook can beat the response to the dial request).
  return flight != nullptr && (flight->call_id == r.call_id ||
                               (r.dial_seq ? *r.dial_seq == flight->dial_seq
                                           : flight->call_id.empty() && flight->key == key));
}

ApplyResult RedialQueue::apply_result(const CallResult& r) {
  const TimeMs now = clock_.now_ms();
  // Validate everything before changing anything.
  validate_result(policy_, r);
  const std::string phone = normalize_phone(r.phone_number);
  const std::string key = make_lead_key(r.lead_id, r.phone_number);
  bool ended_a_runners_call = false;  // shared store: a runner's dial already counted this call
  if (auto dup = shared_duplicate(r, key, phone, now, ended_a_runners_call)) return *dup;
  const bool ends_flight = result_ends_flight(r, key, phone);
  auto it = records_.find(key);
  if (it != records_.end())
    if (auto dup = local_duplicate(r, it->second, key, phone, now)) return *dup;

  const bool created = it == records_.end();
  if (created) {
    it = records_.try_emplace(key).first;
    LeadRecord& rec = it->second.record;
    rec.lead_id = r.lead_id;
    rec.phone_number = r.phone_number;
    rec.created_at = now;
    it->second.month = calendar_.month_of(now);
  }
  Slot& slot = it->second;
  ResultDecision decision = decide_result(policy_, std::move(slot.record), r, now);
  slot.record = std::move(decision.record);
  LeadRecord& rec = slot.record;
  remember_call_id(slot, hash_call_id(r.call_id));
  recent_.push_back(CallSeen{key, r.call_id, now});
  // A call this queue placed was counted at its dial; any other (the first call, made outside
  // the queue) counts now, so caps see every call.
  if (!ends_flight && !r.dial_seq && !ended_a_runners_call) note_call(rec, phone, now);
  if (decision.kind == ResultKind::kDoNotCall) {
    dnc_phones_.insert(phone);
    REDIAL_LOG(log_, info, "Lead put on the do-not-call list {{\"key\":\"{}\",\"outcome\":\"{}\"}}",
               esc(key), esc(r.outcome));
  }
  put(it);
  if (ends_flight) end_call(phone, "result received");
  log_applied(r, key, rec, created, decision.kind, now);
  return {created ? ApplyKind::kCreated : ApplyKind::kUpdated, key, rec.status, rec.attempts};
}

void RedialQueue::log_applied(const CallResult& r, const std::string& key, const LeadRecord& rec,
                              bool created, ResultKind kind, TimeMs now) {
  if (created) {
    REDIAL_LOG(
        log_, info,
        "Added new lead to redial queue {{\"key\":\"{}\",\"outcome\":\"{}\",\"attempts\":1}}",
        esc(key), esc(r.outcome));
  } else {
    REDIAL_LOG(log_, info,
               "Updated redial queue record {{\"key\":\"{}\",\"outcome\":\"{}\",\"attempts\":{},"
               "\"status\":\"{}\"}}",
               esc(key), esc(r.outcome), rec.attempts, esc(status_name(rec.status)));
  }
  REDIAL_LOG(log_, info, "Added/Updated lead to redial queue {{\"key\":\"{}\",\"status\":\"{}\"}}",
             esc(key), esc(status_name(rec.status)));
  // The decision text is for the event listener only; formatting local times is not free.
  if (listener_)
    emit(now, "result", key,
         r.outcome + " (call " + r.call_id + ", attempt " + std::to_string(rec.attempts) +
             "): " + decision_text(kind, rec, r, calendar_, policy_));
}

std::string RedialQueue::enqueue(const LeadInput& lead, TimeMs dial_at) {
  const TimeMs now = clock_.now_ms();
  const std::string key = make_lead_key(lead.lead_id, lead.phone_number);
  if (store_.shared()) lock_and_refresh(key);
  auto [it, inserted] = records_.try_emplace(key);
  if (!inserted) {
    emit(now, "enqueue", key,
         "already queued (" + std::string(status_name(it->second.record.status)) + "); unchanged");
    return key;
  }
  LeadRecord& rec = it->second.record;
  rec.lead_id = lead.lead_id;
  rec.phone_number = lead.phone_number;
  rec.list_id = lead.list_id;
  rec.first_name = lead.first_name;
  rec.last_name = lead.last_name;
  rec.state = lead.state;
  rec.next_redial_timestamp = dial_at;
  rec.created_at = now;
  rec.updated_at = now;
  it->second.month = calendar_.month_of(now);
  const std::string phone = normalize_phone(lead.phone_number);
  if (is_do_not_call(phone)) {
    mark_dnc(it, phone, "number on the do-not-call list at enqueue");
    return key;
  }
  put(it);
  REDIAL_LOG(
      log_, info,
      "Added new lead to redial queue {{\"key\":\"{}\",\"attempts\":0,\"first_dial\":\"{}\"}}",
      esc(key), esc(calendar_.format_local(dial_at)));
  if (listener_) emit(now, "enqueue", key, "first dial at " + calendar_.format_local(dial_at));
  return key;
}

void RedialQueue::end_call(const std::string& phone, const std::string& reason) {
  const InFlightCall* call = in_flight_.find_phone(phone);
  if (call == nullptr) return;
  store_.append(CallEnded{phone, call->dial_seq, reason});
  in_flight_.end(phone);
}

void RedialQueue::on_dial_accepted(std::uint64_t dial_seq, const std::string& call_id) {
  InFlightCall* found = in_flight_.find_dial(dial_seq);
  if (found == nullptr) {
    REDIAL_LOG(log_, debug,
               "Dial answer for a call no longer in flight {{\"dial_seq\":{},\"call_id\":\"{}\"}}",
               dial_seq, esc(call_id));
    return;
  }
  InFlightCall& call = *found;
  call.call_id = call_id;
  store_.append(CallAccepted{call.phone, dial_seq, call_id});
  if (listener_) emit(clock_.now_ms(), "dial_accepted", call.key, "call " + call_id);
}

void RedialQueue::on_dial_failed(std::uint64_t dial_seq, const std::string& reason,
                                 std::optional<TimeMs> retry_after_ms) {
  const InFlightCall* call = in_flight_.find_dial(dial_seq);
  if (call == nullptr) return;
  const TimeMs now = clock_.now_ms();
  const std::string phone = call->phone;
  const std::string key = call->key;
  end_call(phone, "dial failed: " + reason);
  ++dial_failures_;
  if (active_summary_) ++active_summary_->errors;
  auto it = records_.find(key);
  if (it != records_.end()) {
    // No call was placed: it neither counts towards caps nor delays the next dial.
    forget_call(it->second.record, phone);
    if (is_open_status(it->second.record.status) && retry_after_ms) {
      it->second.record.next_redial_timestamp =
          std::max(it->second.record.next_redial_timestamp, now + *retry_after_ms);
      it->second.record.updated_at = now;
    }
    put(it);
  }
  REDIAL_LOG(log_, warn,
             "Dial failed; not counted as an attempt {{\"key\":\"{}\",\"reason\":\"{}\"}}",
             esc(key), esc(reason));
  emit(now, "dial_failed", key, reason);
}

bool RedialQueue::release_call(std::uint64_t dial_seq, const std::string& reason) {
  const InFlightCall* call = in_flight_.find_dial(dial_seq);
  if (call == nullptr) return false;
  const std::string phone = call->phone;
  const std::string key = call->key;
  end_call(phone, "released: " + reason);
  REDIAL_LOG(log_, warn,
             "Call in flight released without a result {{\"key\":\"{}\",\"reason\":\"{}\"}}",
             esc(key), esc(reason));
  emit(clock_.now_ms(), "released", key, reason);
  return true;
}

bool RedialQueue::stop_lead(const std::string& key, const std::string& reason) {
  if (store_.shared()) lock_and_refresh(key);
  auto it = records_.find(key);
  if (it == records_.end()) return false;
  const TimeMs now = clock_.now_ms();
  it->second.record.status = LeadStatus::kCompleted;
  it->second.record.paused_from.reset();
  it->second.record.scheduled_callback_time.reset();
  it->second.record.updated_at = now;
  put(it);
  REDIAL_LOG(log_, info, "Lead stopped {{\"key\":\"{}\",\"reason\":\"{}\"}}", esc(key),
             esc(reason));
  emit(now, "stop", key, reason);
  return true;
}

void RedialQueue::sync() {
  store_.sync();
  if (store_.wants_checkpoint()) checkpoint();
}

void RedialQueue::checkpoint() {
  const TimeMs horizon = clock_.now_ms() - policy_.duplicate_window_ms;
  while (!recent_.empty() && recent_.front().at < horizon) recent_.pop_front();
  store_.sync();
  store_.checkpoint(*this);
  REDIAL_LOG(log_, info, "Saved redial queue records {{\"count\":{}}}", records_.size());
}

TimeMs RedialQueue::next_tick_in_ms() const {
  if (!last_tick_mono_ms_) return 0;
  const TimeMs wait =
      std::max<TimeMs>(0, *last_tick_mono_ms_ + policy_.process_interval_ms - clock_.mono_ms());
  // Leads left for a pacing slot are dialed when it opens, not an interval later.
  if (last_tick_.paced > 0) return std::min(wait, rate_limits_.next_slot_in_ms(clock_.now_ms()));
  return wait;
}

TimeMs RedialQueue::next_tick_at() const { return clock_.now_ms() + next_tick_in_ms(); }

const LeadRecord* RedialQueue::find(const std::string& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? nullptr : &it->second.record;
}

std::vector<InFlightCall> RedialQueue::in_flight_calls() const {
  std::vector<InFlightCall> out;
  out.reserve(in_flight_.size());
  for (const auto& [phone, call] : in_flight_.by_phone()) out.push_back(call);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.dial_seq < b.dial_seq; });
  return out;
}

std::vector<CallSeen> RedialQueue::recent_call_ids() const {
  const TimeMs horizon = clock_.now_ms() - policy_.duplicate_window_ms;
  std::vector<CallSeen> out;
  for (const auto& seen : recent_)
    if (seen.at >= horizon && records_.count(seen.key)) out.push_back(seen);
  return out;
}

const InFlightCall* RedialQueue::in_flight_for_phone(const std::string& phone) const {
  return in_flight_.find_phone(phone);
}

void RedialQueue::for_each(
    const std::function<void(const std::string&, const LeadRecord&)>& fn) const {
  for (const auto& [key, slot] : records_) fn(key, slot.record);
}

void RedialQueue::for_each_in_month(
    MonthId month, const std::function<void(const std::string&, const LeadRecord&)>& fn) const {
  std::vector<const SlotMap::value_type*> entries;
  for (const auto& entry : records_)
    if (entry.second.month == month) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* e : entries) fn(e->first, e->second.record);
}

}  // namespace redial
