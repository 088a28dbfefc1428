#pragma once
// A Store in memory, for tests and the simulator: what was synced survives crash(); what was
// only appended does not. Faults can be injected.
#include <cstdint>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/store.h"

namespace redial {

class MemoryStore final : public Store {
 public:
  // A copy of the durable state; the store keeps its own for the next restart.
  StoreState load() override;
  void append(const Mutation& m) override;
  // Folds the appended mutations into the durable state.
  void sync() override;
  bool wants_checkpoint() const override { return journaled_ > checkpoint_after_; }
  void checkpoint(const RecordSource& source) override;
  std::vector<MonthId> drop_months(const std::vector<MonthId>& months, TimeMs now_ms) override;

  // The process died: changes appended but not synced are gone. load() may be called again.
  void crash() { pending_.clear(); }
  // The next sync() throws StoreError and makes nothing durable.
  void fail_next_sync() { fail_next_sync_ = true; }
  void set_checkpoint_after(std::size_t mutations) { checkpoint_after_ = mutations; }

  std::size_t syncs() const { return syncs_; }
  // Mutations synced since the last checkpoint (the journal a MonthStore would have written).
  std::size_t durable_mutations() const { return journaled_; }
  std::size_t checkpoints() const { return checkpoints_; }

 private:
  void fold(Mutation&& m);

  // The durable state, kept folded as each sync lands (not as a history of mutations: replaying
  // every mutation on each restart made a simulator run cost leads x restarts). Records live in
  // one vector (a restart copies it out contiguously), found through a hash index; by_key_ keeps
  // their order by key, so load() hands them out in the order the replaying store did after a
  // checkpoint (keys added since the last load are merged in then). in_flight_ is by phone.
  std::vector<StoredRecord> records_;
  std::unordered_map<std::string, std::uint32_t> index_;  // key -> position in records_
  std::vector<std::uint32_t> by_key_;                     // positions, ordered by key
  std::vector<std::uint32_t> added_;                      // positions not yet in by_key_
  std::unordered_set<std::uint32_t> deleted_;             // positions of deleted records
  std::map<std::string, InFlightCall> in_flight_;
  std::vector<CallSeen> seen_;
  std::vector<Mutation> pending_;
  std::size_t journaled_ = 0;
  std::size_t checkpoint_after_ = 100000;
  std::size_t syncs_ = 0;
  std::size_t checkpoints_ = 0;
  bool fail_next_sync_ = false;
};

// Applies mutations in order to a state (shared by MemoryStore and MonthStore's replay).
class StateBuilder {
 public:
  explicit StateBuilder(StoreState base = {});
  void apply(const Mutation& m);
  StoreState take();

 private:
  // Records stay in the vector they arrived in (no copy into a tree: on a big month file that
  // pass cost as much as the parse); index_ finds a key's slot.
  std::vector<StoredRecord> records_;
  std::unordered_map<std::string, std::size_t> index_;
  std::map<std::string, InFlightCall> in_flight_;  // by phone
  std::vector<CallSeen> seen_;
};

}  // namespace redial
