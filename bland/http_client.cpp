#include "bland/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace redial::bland {

std::optional<std::int64_t> parse_retry_after_ms(const std::string& value, std::int64_t now_ms) {
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string::npos) {
    if (value.size() > 9) return std::nullopt;  // more than 31 years: not a real wait
    return std::stoll(value) * 1000;
  }
  if (!std::isalpha(static_cast<unsigned char>(value[0]))) return std::nullopt;  // "-5", "1.5"
  time_t at = curl_getdate(value.c_str(), nullptr);  // HTTP-date (libcurl's own parser)
  if (at < 0) return std::nullopt;
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(at) * 1000 - now_ms);
}

}  // namespace redial::bland
