#pragma once
// The discrete-event engine: events ordered by (virtual time, sequence). The sequence is the
// order of scheduling, so two events at the same instant always run in the order they were
// scheduled, and a run is a pure function of its input.
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "core/time.h"

namespace redial::sim {

class EventQueue {
 public:
  using Action = std::function<void()>;

  // Schedules `action` at virtual time `at`. `background` events (ticks) do not keep a run
  // alive: see pending_foreground().
  void schedule(TimeMs at, Action action, bool background = false);

  bool empty() const { return heap_.empty(); }
  TimeMs next_time() const { return heap_.top().at; }
  // Removes the earliest event and returns its time and action.
  std::pair<TimeMs, Action> pop();

  std::size_t size() const { return heap_.size(); }
  // Events that are not background events.
  std::size_t pending_foreground() const { return foreground_; }
  std::uint64_t scheduled_total() const { return next_seq_; }

 private:
  struct Entry {
    TimeMs at;
    std::uint64_t seq;
    bool background;
    Action action;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
  std::uint64_t next_seq_ = 0;
  std::size_t foreground_ = 0;
};

}  // namespace redial::sim
