#include "core/phone.h"

#include <cassert>

#include "core/errors.h"

namespace redial {

std::string normalize_phone(std::string_view raw) {
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
      continue;
    } else {
      throw InputError("phone_number", "unexpected character '" + std::string(1, c) +
                                           "' at position " + std::to_string(i) + " in \"" +
                                           std::string(raw) + "\"");
    }
  }
  if (digits.size() == 10 && !plus) return digits;
  if (digits.size() == 11 && digits[0] == '1') return digits.substr(1);
  // E.164 outside the North American plan: "+" then 8 to 15 digits, not starting with 0 or 1.
  if (plus && digits.size() >= 8 && digits.size() <= 15 && digits[0] != '0' && digits[0] != '1')
    return digits;
  throw InputError("phone_number",
                   "\"" + std::string(raw) +
                       "\" is not a phone number (expected 10 digits, 1 + 10 digits, or "
                       "+country code and number)");
}

std::string dialable_phone(std::string_view normalized) {
  // REQUIRES: normalized input (normalize_phone's digits: 10 NANP digits, or a country code).
  assert(!normalized.empty() &&
         normalized.find_first_not_of("0123456789") == std::string_view::npos);
  if (normalized.size() == 10) return "+1" + std::string(normalized);
  return "+" + std::string(normalized);
}

std::string make_lead_key(std::string_view lead_id, std::string_view raw_phone) {
  if (lead_id.empty()) throw InputError("lead_id", "missing");
  for (char c : lead_id)
    if (static_cast<unsigned char>(c) < 0x20)
      throw InputError("lead_id", "contains a control character");
  std::string key(lead_id);
  key.push_back('_');
  key += normalize_phone(raw_phone);
  return key;
}

}  // namespace redial
