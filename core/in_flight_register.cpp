#include "core/in_flight_register.h"

#include <cassert>

namespace redial {

void InFlightRegister::add(InFlightCall call) {
  assert(!by_phone_.count(call.phone) && !phone_by_dial_.count(call.dial_seq));
  phone_by_dial_[call.dial_seq] = call.phone;
  std::string phone = call.phone;
  by_phone_.emplace(std::move(phone), std::move(call));
}

bool InFlightRegister::end(const std::string& phone) {
  auto it = by_phone_.find(phone);
  if (it == by_phone_.end()) return false;
  phone_by_dial_.erase(it->second.dial_seq);
  dialed_mono_ms_.erase(it->second.dial_seq);
  reconciling_.erase(phone);
  by_phone_.erase(it);
  return true;
}

InFlightCall* InFlightRegister::find_phone(const std::string& phone) {
  auto it = by_phone_.find(phone);
  return it == by_phone_.end() ? nullptr : &it->second;
}

const InFlightCall* InFlightRegister::find_phone(const std::string& phone) const {
  auto it = by_phone_.find(phone);
  return it == by_phone_.end() ? nullptr : &it->second;
}

InFlightCall* InFlightRegister::find_dial(std::uint64_t dial_seq) {
  auto p = phone_by_dial_.find(dial_seq);
  return p == phone_by_dial_.end() ? nullptr : &by_phone_.at(p->second);
}

void InFlightRegister::set_dialed_mono_ms(std::uint64_t dial_seq, TimeMs mono_ms) {
  assert(has_dial(dial_seq));
  dialed_mono_ms_[dial_seq] = mono_ms;
}

void InFlightRegister::mark_reconciling(const std::string& phone) {
  assert(by_phone_.count(phone));
  reconciling_.insert(phone);
}

std::string InFlightRegister::consistency_error(std::uint64_t next_dial_seq) const {
  if (phone_by_dial_.size() != by_phone_.size())
    return std::to_string(by_phone_.size()) + " calls in flight but " +
           std::to_string(phone_by_dial_.size()) + " dial numbers";
  for (const auto& [phone, call] : by_phone_) {
    if (call.phone != phone) return "call in flight to " + call.phone + " filed under " + phone;
    auto p = phone_by_dial_.find(call.dial_seq);
    if (p == phone_by_dial_.end() || p->second != phone)
      return "call in flight " + std::to_string(call.dial_seq) + " has no dial_seq entry";
    if (call.dial_seq >= next_dial_seq)
      return "call in flight " + std::to_string(call.dial_seq) + " not below the next dial_seq";
  }
  for (const auto& [seq, mono] : dialed_mono_ms_)
    if (!phone_by_dial_.count(seq)) return "dial time kept for ended call " + std::to_string(seq);
  for (const std::string& phone : reconciling_)
    if (!by_phone_.count(phone)) return "reconciling " + phone + " with no call in flight";
  return {};
}

}  // namespace redial
