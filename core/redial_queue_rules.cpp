// RedialQueue's calling-rule state: the call history behind caps and gaps, and do-not-call.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/queue_internal.h"
#include "core/redial_queue.h"

namespace redial {

using namespace internal;

void RedialQueue::note_call(LeadRecord& rec, const std::string& phone, TimeMs at) {
  const TimeMs horizon = at - 24 * kHourMs;
  auto& lead = rec.recent_call_times;
  lead.erase(std::remove_if(lead.begin(), lead.end(), [&](TimeMs t) { return t <= horizon; }),
             lead.end());
  lead.push_back(at);
  auto& calls = calls_by_phone_[phone];
  calls.erase(std::remove_if(calls.begin(), calls.end(), [&](TimeMs t) { return t <= horizon; }),
              calls.end());
  calls.push_back(at);
  rate_limits_.note_call(at);
}

void RedialQueue::forget_call(LeadRecord& rec, const std::string& phone) {
  // One call in flight per number: the dial being undone is the latest on both lists.
  auto drop_latest = [](std::vector<TimeMs>& v) {
    if (!v.empty()) v.erase(std::max_element(v.begin(), v.end()));
  };
  const auto latest = std::max_element(rec.recent_call_times.begin(), rec.recent_call_times.end());
  if (latest != rec.recent_call_times.end()) rate_limits_.forget_call(*latest);
  drop_latest(rec.recent_call_times);
  auto calls = calls_by_phone_.find(phone);
  if (calls != calls_by_phone_.end()) drop_latest(calls->second);
}

std::span<const TimeMs> RedialQueue::phone_calls(const std::string& phone, TimeMs now) {
  auto it = calls_by_phone_.find(phone);
  if (it == calls_by_phone_.end()) return {};
  auto& calls = it->second;
  const TimeMs horizon = now - 24 * kHourMs;
  calls.erase(std::remove_if(calls.begin(), calls.end(), [&](TimeMs t) { return t <= horizon; }),
              calls.end());
  if (calls.empty()) {
    calls_by_phone_.erase(it);
    return {};
  }
  return calls;
}

bool RedialQueue::is_do_not_call(const std::string& phone) const {
  return dnc_phones_.count(phone) || admin_dnc_.count(phone) ||
         (dnc_list_ && dnc_list_->contains(phone));
}

void RedialQueue::mark_dnc(SlotMap::iterator it, const std::string& phone, const std::string& why) {
  const TimeMs now = clock_.now_ms();
  LeadRecord& rec = it->second.record;
  rec.status = LeadStatus::kDnc;
  rec.paused_from.reset();
  rec.scheduled_callback_time.reset();
  rec.hold_reason.reset();
  rec.updated_at = now;
  dnc_phones_.insert(phone);
  put(it);
  REDIAL_LOG(log_, info,
             "Lead on the do-not-call list, never dialed {{\"key\":\"{}\",\"reason\":\"{}\"}}",
             esc(it->first), esc(why));
  emit(now, "dnc", it->first, why);
}

std::size_t RedialQueue::reload_dnc() {
  if (policy_.dnc_file.empty()) return 0;
  auto list = std::make_shared<const DncList>(DncList::load(policy_.dnc_file));
  dnc_list_ = std::move(list);
  REDIAL_LOG(log_, info, "Reloaded do-not-call file {{\"file\":\"{}\",\"numbers\":{}}}",
             esc(policy_.dnc_file), dnc_list_->size());
  return dnc_list_->size();
}

}  // namespace redial
