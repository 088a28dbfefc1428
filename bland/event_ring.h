#pragma once
// The runner's recent events for GET /admin/recent and the dashboard: results applied, dials
// placed, dial errors and calling-rule holds, in memory only (a restart starts it empty), the
// oldest dropped once the ring is full.
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "core/time.h"

namespace redial::bland {

struct RecentEvent {
  TimeMs at = 0;
  std::string kind;  // "result", "dial", "error", "hold"
  std::string key;
  std::string call_id;  // "" when none
  std::string outcome;  // results only
  std::string detail;
};

class EventRing {
 public:
  static constexpr std::size_t kCapacity = 1000;

  void push(RecentEvent e) {
    events_.push_back(std::move(e));
    if (events_.size() > kCapacity) events_.pop_front();
  }
  // At most `limit` events, newest first; only the lead's when key is not empty.
  std::vector<RecentEvent> newest(std::size_t limit, const std::string& key = "") const {
    std::vector<RecentEvent> out;
    for (auto it = events_.rbegin(); it != events_.rend() && out.size() < limit; ++it)
      if (key.empty() || it->key == key) out.push_back(*it);
    return out;
  }
  std::size_t size() const { return events_.size(); }

 private:
  std::deque<RecentEvent> events_;  // oldest first
};

}  // namespace redial::bland
