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
  if (std::string why = in_flight_.consistency_error(next_dial_seq_); !why.empty()) return why;
  // A shared store: other runners' calls are not in this memory, and each claim counts them.
  const int cap = policy_.max_concurrent_calls;
  if (cap > 0 && in_flight_.size() > static_cast<std::size_t>(cap))
    return std::to_string(in_flight_.size()) + " calls in flight, over max_concurrent_calls " +
           std::to_string(cap);
  return {};
}

}  // namespace redial
