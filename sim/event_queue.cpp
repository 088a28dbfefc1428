#include "sim/event_queue.h"

#include <utility>

namespace redial::sim {

void EventQueue::schedule(TimeMs at, Action action, bool background) {
  heap_.push(Entry{at, next_seq_++, background, std::move(action)});
  if (!background) ++foreground_;
}

std::pair<TimeMs, EventQueue::Action> EventQueue::pop() {
  // priority_queue::top() is const; the action is moved out through a const_cast, which is
  // safe because the entry is popped at once and the ordering does not look at the action.
  Entry& top = const_cast<Entry&>(heap_.top());
  std::pair<TimeMs, Action> out{top.at, std::move(top.action)};
  if (!top.background) --foreground_;
  heap_.pop();
  return out;
}

}  // namespace redial::sim
