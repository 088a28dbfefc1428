#include "core/memory_store.h"

#include <algorithm>
#include <set>

#include "core/errors.h"

namespace redial {

StateBuilder::StateBuilder(StoreState base) : records_(std::move(base.records)) {
  index_.reserve(records_.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto [it, inserted] = index_.try_emplace(records_[i].key, kept);
    if (inserted) {
      if (kept != i) records_[kept] = std::move(records_[i]);
      ++kept;
    } else if (records_[i].record.updated_at >= records_[it->second].record.updated_at) {
      // The same key in two month files (the seed started a new record each month): keep the
      // most recently updated one.
      records_[it->second] = std::move(records_[i]);
    }
  }
  records_.resize(kept);
  for (auto& c : base.in_flight) {
    std::string phone = c.phone;
    in_flight_[phone] = std::move(c);
  }
  seen_ = std::move(base.seen);
}

void StateBuilder::apply(const Mutation& m) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, RecordPut>) {
          auto [it, inserted] = index_.try_emplace(v.key, records_.size());
          if (inserted) {
            records_.push_back(StoredRecord{v.month, v.key, v.record});
          } else {
            records_[it->second] = StoredRecord{v.month, v.key, v.record};
          }
          if (v.record.last_call_id)
            seen_.push_back(CallSeen{v.key, *v.record.last_call_id, v.record.updated_at});
        } else if constexpr (std::is_same_v<T, CallSeen>) {
          seen_.push_back(v);
        } else if constexpr (std::is_same_v<T, RecordDeleted>) {
          auto it = index_.find(v.key);
          if (it == index_.end()) return;
          // The last record takes the deleted one's place.
          const std::size_t at = it->second;
          index_.erase(it);
          if (at + 1 != records_.size()) {
            records_[at] = std::move(records_.back());
            index_[records_[at].key] = at;
          }
          records_.pop_back();
        } else if constexpr (std::is_same_v<T, CallStarted>) {
          in_flight_[v.call.phone] = v.call;
        } else if constexpr (std::is_same_v<T, CallAccepted>) {
          auto it = in_flight_.find(v.phone);
          if (it != in_flight_.end() && it->second.dial_seq == v.dial_seq)
            it->second.call_id = v.call_id;
        } else {
          auto it = in_flight_.find(v.phone);
          if (it != in_flight_.end() && it->second.dial_seq == v.dial_seq) in_flight_.erase(it);
        }
      },
      m);
}

StoreState StateBuilder::take() {
  StoreState s;
  s.records = std::move(records_);
  for (auto& [p, c] : in_flight_) s.in_flight.push_back(std::move(c));
  s.seen = std::move(seen_);
  records_.clear();
  index_.clear();
  in_flight_.clear();
  seen_.clear();
  return s;
}

StoreState MemoryStore::load() {
  pending_.clear();
  if (!added_.empty()) {
    auto key_less = [this](std::uint32_t a, std::uint32_t b) {
      return records_[a].key < records_[b].key;
    };
    std::sort(added_.begin(), added_.end(), key_less);
    const auto middle = static_cast<std::ptrdiff_t>(by_key_.size());
    by_key_.insert(by_key_.end(), added_.begin(), added_.end());
    std::inplace_merge(by_key_.begin(), by_key_.begin() + middle, by_key_.end(), key_less);
    added_.clear();
  }
  StoreState s;
  s.records.reserve(by_key_.size());
  for (std::uint32_t i : by_key_)
    if (!deleted_.count(i)) s.records.push_back(records_[i]);
  s.in_flight.reserve(in_flight_.size());
  for (const auto& [phone, c] : in_flight_) s.in_flight.push_back(c);
  s.seen = seen_;
  return s;
}

void MemoryStore::append(const Mutation& m) { pending_.push_back(m); }

// The same fold as StateBuilder::apply (the journal replay of MonthStore), applied once per
// mutation as it becomes durable.
void MemoryStore::fold(Mutation&& m) {
  std::visit(
      [&](auto&& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, RecordPut>) {
          if (v.record.last_call_id)
            seen_.push_back(CallSeen{v.key, *v.record.last_call_id, v.record.updated_at});
          auto [it, inserted] =
              index_.try_emplace(v.key, static_cast<std::uint32_t>(records_.size()));
          if (inserted) {
            added_.push_back(it->second);
            records_.push_back(StoredRecord{v.month, std::move(v.key), std::move(v.record)});
          } else {
            StoredRecord& r = records_[it->second];
            r.month = v.month;
            r.record = std::move(v.record);
          }
        } else if constexpr (std::is_same_v<T, CallSeen>) {
          seen_.push_back(std::move(v));
        } else if constexpr (std::is_same_v<T, RecordDeleted>) {
          // The slot stays in records_ (positions are shared with by_key_), unreachable.
          auto it = index_.find(v.key);
          if (it == index_.end()) return;
          deleted_.insert(it->second);
          index_.erase(it);
        } else if constexpr (std::is_same_v<T, CallStarted>) {
          in_flight_[v.call.phone] = std::move(v.call);
        } else if constexpr (std::is_same_v<T, CallAccepted>) {
          auto it = in_flight_.find(v.phone);
          if (it != in_flight_.end() && it->second.dial_seq == v.dial_seq)
            it->second.call_id = std::move(v.call_id);
        } else {
          auto it = in_flight_.find(v.phone);
          if (it != in_flight_.end() && it->second.dial_seq == v.dial_seq) in_flight_.erase(it);
        }
      },
      std::move(m));
}

void MemoryStore::sync() {
  if (fail_next_sync_) {
    fail_next_sync_ = false;
    throw StoreError("memory store: injected sync failure");
  }
  ++syncs_;
  journaled_ += pending_.size();
  for (auto& m : pending_) fold(std::move(m));
  pending_.clear();
}

void MemoryStore::checkpoint(const RecordSource& source) {
  // The records are folded already; as a month store's snapshot does, the calls in flight and
  // the recent call ids come from the queue, and the journal empties.
  in_flight_.clear();
  for (auto& c : source.in_flight_calls()) {
    std::string phone = c.phone;
    in_flight_[phone] = std::move(c);
  }
  seen_ = source.recent_call_ids();
  journaled_ = 0;
  ++checkpoints_;
}

std::vector<MonthId> MemoryStore::drop_months(const std::vector<MonthId>& months, TimeMs) {
  const std::set<MonthId> wanted(months.begin(), months.end());
  std::set<MonthId> dropped;
  for (std::uint32_t i = 0; i < records_.size(); ++i)
    if (wanted.count(records_[i].month) && !deleted_.count(i)) dropped.insert(records_[i].month);
  if (!dropped.empty()) {
    std::vector<StoredRecord> kept;
    for (std::uint32_t i = 0; i < records_.size(); ++i)
      if (!wanted.count(records_[i].month) && !deleted_.count(i))
        kept.push_back(std::move(records_[i]));
    records_ = std::move(kept);
    deleted_.clear();
    index_.clear();
    by_key_.clear();
    added_.clear();
    for (std::uint32_t i = 0; i < records_.size(); ++i) {
      index_.emplace(records_[i].key, i);
      added_.push_back(i);  // ordered by key at the next load()
    }
  }
  journaled_ = 0;
  return {dropped.begin(), dropped.end()};
}

}  // namespace redial
