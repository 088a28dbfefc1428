#pragma once
// Webhook credentials. With a signing secret, Bland's X-Webhook-Signature: HMAC-SHA256 of the
// raw body, hex encoded. Without one, a random token the runner puts in the webhook URL it gives
// Bland (?token=...). Both are compared in constant time.
#include <string>
#include <string_view>

namespace redial::runner {

struct Settings;

std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Constant-time comparison of the expected signature with the header (hex, any case; an optional
// "sha256=" prefix is accepted).
bool signature_matches(std::string_view secret, std::string_view body, std::string_view header);

// Equal contents, in time independent of where they differ (CRYPTO_memcmp). The length is not
// secret: a different length is false at once.
bool constant_time_equals(std::string_view a, std::string_view b);

// `bytes` random bytes from OpenSSL's CSPRNG, hex encoded. Throws std::runtime_error.
std::string random_token_hex(std::size_t bytes);

// Without a webhook secret and without --webhook-token: reads DATA_DIR/webhook.token, or creates
// it (mode 0600) with a random 32-byte token, so that calls in flight across a restart keep a
// valid webhook URL. Sets settings.webhook_token. Throws std::runtime_error naming the file.
void resolve_webhook_token(Settings& settings);

}  // namespace redial::runner
