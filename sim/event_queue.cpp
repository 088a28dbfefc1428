#include "sim/event_queue.h"

#include <algorithm>

namespace redial::sim {

void EventQueue::schedule(TimeMs at, Action action, bool background, std::string label) {
  std::uint32_t slot;
  if (free_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_.back();
    free_.pop_back();
  }
  Slot& s = slots_[slot];
  s.action = std::move(action);
  s.label = std::move(label);
  s.background = background;
  heap_.push_back(Key{at, next_seq_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  if (!background) ++foreground_;
}

std::pair<TimeMs, EventQueue::Action> EventQueue::pop(std::string* label) {
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const Key top = heap_.back();
  heap_.pop_back();
  Slot& s = slots_[top.slot];
  std::pair<TimeMs, Action> out{top.at, std::move(s.action)};
  s.action = nullptr;
  if (label != nullptr) {
    label->swap(s.label);
  }
  s.label.clear();
  if (!s.background) --foreground_;
  free_.push_back(top.slot);
  return out;
}

}  // namespace redial::sim
