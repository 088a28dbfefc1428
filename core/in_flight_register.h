#pragma once
// The calls in flight (issue 21: RedialQueue split by responsibility): at most one per normalized
// phone, found by phone or by the dial that started it, with the monotonic time of its dial
// (never stored) and whether it was handed to Dialer::reconcile. The queue decides; this keeps
// the four maps consistent.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/dialer.h"
#include "core/time.h"

namespace redial {

class InFlightRegister {
 public:
  using ByPhone = std::unordered_map<std::string, InFlightCall>;

  // REQUIRES: no call in flight on call.phone, and call.dial_seq names no call in flight.
  void add(InFlightCall call);
  // Forgets the call on `phone`, its dial time and its reconcile mark. False if there is none.
  bool end(const std::string& phone);

  InFlightCall* find_phone(const std::string& phone);
  const InFlightCall* find_phone(const std::string& phone) const;
  InFlightCall* find_dial(std::uint64_t dial_seq);
  bool has_dial(std::uint64_t dial_seq) const { return phone_by_dial_.count(dial_seq) > 0; }
  const ByPhone& by_phone() const { return by_phone_; }
  std::size_t size() const { return by_phone_.size(); }
  bool empty() const { return by_phone_.empty(); }

  // The monotonic time of the dial; `unknown_ms()` computes it the first time it is asked for
  // (a call loaded from the journal). REQUIRES: the call is in flight.
  template <class Compute>
  TimeMs dialed_mono_ms(std::uint64_t dial_seq, Compute unknown_ms) {
    auto [it, inserted] = dialed_mono_ms_.try_emplace(dial_seq, 0);
    if (inserted) it->second = unknown_ms();
    return it->second;
  }
  // REQUIRES: the call is in flight.
  void set_dialed_mono_ms(std::uint64_t dial_seq, TimeMs mono_ms);

  void mark_reconciling(const std::string& phone);
  bool reconciling(const std::string& phone) const { return reconciling_.count(phone) > 0; }

  // Empty when the maps agree; else the first disagreement. `next_dial_seq`: every call in
  // flight must be numbered below it.
  std::string consistency_error(std::uint64_t next_dial_seq) const;

 private:
  ByPhone by_phone_;                                              // by normalized phone
  std::unordered_map<std::uint64_t, std::string> phone_by_dial_;  // dial_seq -> phone
  std::unordered_set<std::string> reconciling_;               // phones handed to Dialer::reconcile
  std::unordered_map<std::uint64_t, TimeMs> dialed_mono_ms_;  // by dial_seq
};

}  // namespace redial
