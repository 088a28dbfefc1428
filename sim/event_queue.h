#pragma once
// The discrete-event engine: events ordered by (virtual time, sequence). The sequence is the
// order of scheduling, so two events at the same instant always run in the order they were
// scheduled, and a run is a pure function of its input.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"

namespace redial::sim {

class EventQueue {
 public:
  using Action = std::function<void()>;

  // Schedules `action` at virtual time `at`. `background` events (ticks) do not keep a run
  // alive: see pending_foreground(). `label` names the event (handed back by pop()).
  void schedule(TimeMs at, Action action, bool background = false, std::string label = {});

  bool empty() const { return heap_.empty(); }
  TimeMs next_time() const { return heap_.front().at; }
  // Removes the earliest event and returns its time and action (and its label, if asked).
  std::pair<TimeMs, Action> pop(std::string* label = nullptr);

  std::size_t size() const { return heap_.size(); }
  // Events that are not background events.
  std::size_t pending_foreground() const { return foreground_; }
  std::uint64_t scheduled_total() const { return next_seq_; }
  // Moves every pending event by delta_ms (the wall clock they are on was stepped); the order
  // stays the same.
  void shift(TimeMs delta_ms) {
    for (Key& k : heap_) k.at += delta_ms;
  }

 private:
  // The heap holds small keys; the actions stay put in slots (reused through a free list), so
  // sifting moves 24 bytes, not a std::function and a string.
  struct Key {
    TimeMs at;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Slot {
    Action action;
    std::string label;
    bool background = false;
  };
  struct Later {
    bool operator()(const Key& a, const Key& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  std::vector<Key> heap_;  // std::push_heap / pop_heap with Later: the earliest at the front
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 0;
  std::size_t foreground_ = 0;
};

}  // namespace redial::sim
