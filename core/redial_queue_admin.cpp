// RedialQueue's operator actions (admin API): pause, resume, delete, the run-time switch and
// numbers put on the do-not-call list by hand.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/errors.h"
#include "core/phone.h"
#include "core/queue_internal.h"
#include "core/redial_queue.h"
#include "core/shared_store.h"

namespace redial {

using namespace internal;

namespace {

LeadAction conflict(std::string why) { return {LeadAction::Kind::kConflict, std::move(why)}; }

}  // namespace

LeadAction RedialQueue::pause_lead(const std::string& key, const std::string& reason) {
  if (store_.shared()) lock_and_refresh(key);
  auto it = records_.find(key);
  if (it == records_.end()) return {LeadAction::Kind::kUnknownKey, {}};
  LeadRecord& rec = it->second.record;
  if (rec.status == LeadStatus::kPaused) return conflict("the lead is paused already");
  if (!is_open_status(rec.status))
    return conflict("the lead is " + std::string(status_name(rec.status)) +
                    "; only a pending or rescheduled lead can be paused");
  const TimeMs now = clock_.now_ms();
  rec.paused_from = rec.status;
  rec.status = LeadStatus::kPaused;
  rec.hold_reason = reason.empty() ? "paused by an operator" : "paused by an operator: " + reason;
  rec.updated_at = now;
  put(it);
  REDIAL_LOG(log_, info, "Lead paused {{\"key\":\"{}\",\"reason\":\"{}\"}}", esc(key), esc(reason));
  emit(now, "pause", key, reason);
  return {};
}

LeadAction RedialQueue::resume_lead(const std::string& key) {
  if (store_.shared()) lock_and_refresh(key);
  auto it = records_.find(key);
  if (it == records_.end()) return {LeadAction::Kind::kUnknownKey, {}};
  LeadRecord& rec = it->second.record;
  if (rec.status != LeadStatus::kPaused)
    return conflict("the lead is " + std::string(status_name(rec.status)) + ", not paused");
  const TimeMs now = clock_.now_ms();
  rec.status = rec.paused_from.value_or(LeadStatus::kPending);
  rec.paused_from.reset();
  rec.hold_reason.reset();
  rec.next_redial_timestamp = std::max(rec.next_redial_timestamp, now);
  rec.updated_at = now;
  put(it);
  REDIAL_LOG(log_, info, "Lead resumed {{\"key\":\"{}\",\"status\":\"{}\"}}", esc(key),
             esc(status_name(rec.status)));
  emit(now, "resume", key, std::string(status_name(rec.status)));
  return {};
}

LeadAction RedialQueue::delete_lead(const std::string& key, const std::string& reason) {
  if (store_.shared()) lock_and_refresh(key);
  auto it = records_.find(key);
  if (it == records_.end()) return {LeadAction::Kind::kUnknownKey, {}};
  // Its result would create the lead again (a result for an unknown key is a new lead).
  for (const auto& [phone, call] : in_flight_.by_phone())
    if (call.key == key)
      return conflict("a call to the lead is in flight (call " + call.call_id +
                      "); delete it after its result");
  const TimeMs now = clock_.now_ms();
  store_.append(RecordDeleted{it->second.month, key, reason, now});
  erase_record(it);
  REDIAL_LOG(log_, info, "Lead deleted {{\"key\":\"{}\",\"reason\":\"{}\"}}", esc(key),
             esc(reason));
  emit(now, "delete", key, reason);
  return {};
}

void RedialQueue::set_queue_switch(QueueSwitch s) {
  queue_switch_ = std::move(s);
  REDIAL_LOG(log_, info, "Redial queue switched {{\"enabled\":{},\"reason\":\"{}\"}}",
             queue_switch_.enabled, esc(queue_switch_.reason.value_or("")));
}

std::size_t RedialQueue::apply_dnc_number(const std::string& phone, const std::string& why) {
  std::vector<std::string> keys;
  for (const auto& [key, slot] : records_) {
    const LeadRecord& r = slot.record;
    if (!is_open_status(r.status) && r.status != LeadStatus::kPaused) continue;
    try {
      if (normalize_phone(r.phone_number) == phone) keys.push_back(key);
    } catch (const InputError&) {
      // An unusable number is reported when the lead comes up for a dial.
    }
  }
  for (const std::string& key : keys) {
    if (store_.shared()) lock_and_refresh(key);
    auto it = records_.find(key);
    if (it == records_.end()) continue;
    const LeadStatus now_status = it->second.record.status;
    if (is_open_status(now_status) || now_status == LeadStatus::kPaused) mark_dnc(it, phone, why);
  }
  return keys.size();
}

}  // namespace redial
