#pragma once
// Phone numbers as the queue keys them: digits only, NANP numbers without the leading 1.
#include <string>
#include <string_view>

namespace redial {

// "+15551234567", "(555) 123-4567", "1-555-123-4567", "555.123.4567" -> "5551234567".
// "+44 20 7946 0958" -> "442079460958" (international numbers keep their country code).
// Throws InputError("phone_number") for anything else, naming what was wrong.
std::string normalize_phone(std::string_view raw);

// The E.164 form to dial: "+15551234567" or "+442079460958". REQUIRES: normalized input.
std::string dialable_phone(std::string_view normalized);

// "{lead_id}_{normalized_phone}", the key of the seed's month files.
// Throws InputError("lead_id") for an empty id or one with control characters.
std::string make_lead_key(std::string_view lead_id, std::string_view raw_phone);

}  // namespace redial
