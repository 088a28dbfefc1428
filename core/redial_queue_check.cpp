// RedialQueue::consistency_error: the queue's bookkeeping checked against itself (tests and the
// simulator's invariants call it after every tick and result).
#include <string>

#include "core/queue_internal.h"
#include "core/redial_queue.h"

namespace redial {

using namespace internal;

namespace {

std::string counts_text(const StatusCounts& c) {
  return "pending " + std::to_string(c.pending) + ", rescheduled " + std::to_string(c.rescheduled) +
         ", completed " + std::to_string(c.completed) + ", max_attempts " +
         std::to_string(c.max_attempts) + ", dnc " + std::to_string(c.dnc) + ", paused " +
         std::to_string(c.paused);
}

bool same_counts(const StatusCounts& a, const StatusCounts& b) {
  return a.pending == b.pending && a.rescheduled == b.rescheduled && a.completed == b.completed &&
         a.max_attempts == b.max_attempts && a.dnc == b.dnc && a.paused == b.paused;
}

}  // namespace

std::string RedialQueue::consistency_error() const {
  StatusCounts recount;
  std::size_t indexed = 0;
  for (const auto& [key, slot] : records_) {
    if (slot.counted_as != slot.record.status)
      return "record " + key + " is counted under another status than its own";
    ++count_of(recount, slot.record.status);
    if (slot.indexed_due < 0) continue;
    ++indexed;
    auto* entry = const_cast<SlotMap::value_type*>(&*records_.find(key));
    if (!ready_index_.count({slot.indexed_due, entry}))
      return "record " + key + " is marked indexed but missing from the ready index";
    const std::optional<TimeMs> due = due_time(slot.record);
    // A shared store's refresh or a push-back always reindexes; a stale entry is a lost change.
    if (!due || std::max<TimeMs>(*due, 0) != slot.indexed_due)
      return "record " + key + " is indexed at " + std::to_string(slot.indexed_due) +
             " but is due at " + (due ? std::to_string(*due) : std::string("never"));
  }
  if (!same_counts(recount, counts_))
    return "status counts (" + counts_text(counts_) + ") differ from a recount (" +
           counts_text(recount) + ")";
  if (indexed != ready_index_.size())
    return "ready index holds " + std::to_string(ready_index_.size()) + " entries for " +
           std::to_string(indexed) + " indexed records";
  if (phone_by_dial_.size() != in_flight_.size())
    return std::to_string(in_flight_.size()) + " calls in flight but " +
           std::to_string(phone_by_dial_.size()) + " dial numbers";
  for (const auto& [phone, call] : in_flight_) {
    if (call.phone != phone) return "call in flight to " + call.phone + " filed under " + phone;
    auto p = phone_by_dial_.find(call.dial_seq);
    if (p == phone_by_dial_.end() || p->second != phone)
      return "call in flight " + std::to_string(call.dial_seq) + " has no dial_seq entry";
    if (call.dial_seq >= next_dial_seq_)
      return "call in flight " + std::to_string(call.dial_seq) + " not below the next dial_seq";
  }
  for (const auto& [seq, mono] : dialed_mono_ms_)
    if (!phone_by_dial_.count(seq)) return "dial time kept for ended call " + std::to_string(seq);
  for (const std::string& phone : reconciling_)
    if (!in_flight_.count(phone)) return "reconciling " + phone + " with no call in flight";
  // A shared store: other runners' calls are not in this memory, and each claim counts them.
  const int cap = policy_.max_concurrent_calls;
  if (cap > 0 && in_flight_.size() > static_cast<std::size_t>(cap))
    return std::to_string(in_flight_.size()) + " calls in flight, over max_concurrent_calls " +
           std::to_string(cap);
  return {};
}

}  // namespace redial
