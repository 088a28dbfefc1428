// RedialQueue with a store several runners share (core/shared_store.h): the memory holds a
// cache of the records; claims, call leases and duplicates are decided by the store.
#include <algorithm>
#include <climits>

#include "core/errors.h"
#include "core/phone.h"
#include "core/queue_internal.h"
#include "core/redial_queue.h"
#include "core/shared_store.h"

namespace redial {

using namespace internal;

namespace {
// With no concurrency limit, a tick claims at most this many leads (the rest wait a tick).
constexpr std::size_t kUnlimitedClaimBatch = 500;
}  // namespace

RedialQueue::SlotMap::iterator RedialQueue::refresh(StoredRecord&& fresh) {
  auto it = records_.try_emplace(std::move(fresh.key)).first;
  // Dial limits count every runner's calls: the memory's copy of them is replaced by the store's.
  rate_limits_.remove_calls(it->second.record.recent_call_times);
  rate_limits_.add_calls(fresh.record.recent_call_times);
  it->second.record = std::move(fresh.record);
  it->second.month = fresh.month;
  reindex(it);
  // Caps count every call to a number, whichever runner placed it.
  const LeadRecord& rec = it->second.record;
  if (rec.status == LeadStatus::kDnc || !rec.recent_call_times.empty()) {
    try {
      std::string phone = normalize_phone(rec.phone_number);
      if (rec.status == LeadStatus::kDnc) dnc_phones_.insert(phone);
      auto& calls = calls_by_phone_[phone];
      for (TimeMs t : rec.recent_call_times) {
        auto at = std::lower_bound(calls.begin(), calls.end(), t);
        if (at == calls.end() || *at != t) calls.insert(at, t);
      }
    } catch (const InputError&) {
      // An unusable number is reported when the lead comes up for a dial.
    }
  }
  return it;
}

void RedialQueue::forget(const std::string& key) {
  auto it = records_.find(key);
  if (it == records_.end()) return;
  erase_record(it);
}

void RedialQueue::lock_and_refresh(const std::string& key) {
  if (auto fresh = store_.shared()->lock_lead(key)) {
    refresh(std::move(*fresh));
  } else {
    forget(key);
  }
}

void RedialQueue::refresh_from_store() {
  SharedStore* shared = store_.shared();
  if (!shared || ticking_) return;
  // changed_records() commits first, so no change of this runner is uncommitted: every row it
  // returns is at least as new as the memory's copy, and replacing that copy loses nothing.
  for (StoredRecord& fresh : shared->changed_records()) refresh(std::move(fresh));
}

std::vector<const std::string*> RedialQueue::claim_due(TimeMs now, TimeMs window_start) {
  ClaimQuery q{now, window_start, policy_.max_attempts, kUnlimitedClaimBatch,
               static_cast<std::size_t>(std::max(0, policy_.max_concurrent_calls))};
  ClaimResult claimed = store_.shared()->claim_due(q);
  // A call whose lease is gone was ended by another runner (it applied the result).
  std::sort(claimed.live_dial_seqs.begin(), claimed.live_dial_seqs.end());
  std::vector<std::string> ended;
  for (const auto& [phone, call] : in_flight_.by_phone())
    if (!std::binary_search(claimed.live_dial_seqs.begin(), claimed.live_dial_seqs.end(),
                            call.dial_seq))
      ended.push_back(phone);
  for (const std::string& phone : ended) {
    emit(now, "ended_elsewhere", in_flight_.find_phone(phone)->key,
         "result applied by another runner");
    end_call(phone, "result applied by another runner");
  }
  std::vector<const std::string*> due;
  for (StoredRecord& fresh : claimed.records) due.push_back(&refresh(std::move(fresh))->first);
  return due;
}

}  // namespace redial
