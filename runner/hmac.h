#pragma once
// Bland's webhook signature: HMAC-SHA256 of the raw body with the signing secret, hex encoded.
#include <string>
#include <string_view>

namespace redial::runner {

std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Constant-time comparison of the expected signature with the header (hex, any case; an optional
// "sha256=" prefix is accepted).
bool signature_matches(std::string_view secret, std::string_view body, std::string_view header);

}  // namespace redial::runner
