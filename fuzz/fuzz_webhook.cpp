// Fuzzes what a webhook body goes through before it reaches the queue: JSON parsing, Bland's
// call object -> CallResult (parse_call_object) with the outcome mapping, and the signature
// check. The same bytes are also tried as an --outcome-mapping override. Only the documented
// exceptions are caught: anything else escaping is a bug and libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "bland/bland_call.h"
#include "bland/outcome_mapping.h"
#include "core/business_calendar.h"
#include "core/errors.h"
#include "core/redial_policy.h"
#include "runner/hmac.h"

using namespace redial;
using namespace redial::runner;
using namespace redial::bland;

// FUZZ_ENTRY: renamed in the replay test (fuzz/CMakeLists.txt), which links every target.
#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

extern "C" int FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  static const RedialPolicy policy;
  static const BusinessCalendar calendar(policy.time_zone, policy.business_open_s,
                                         policy.business_close_s, policy.business_weekdays);
  static const OutcomeMapping defaults;
  std::string text(reinterpret_cast<const char*>(data), size);

  (void)signature_matches("secret", text, text.substr(0, 71));

  auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return 0;
  auto known = [](std::string_view o) { return policy.is_known(o); };
  auto local = [](const std::string& t, const std::string& f) {
    return calendar.parse_local(t, f);
  };
  try {
    (void)parse_call_object(body, defaults, known, local);
  } catch (const InputError&) {
  }
  if (body.is_object()) {
    try {
      OutcomeMapping custom = load_outcome_mapping(body);
      (void)map_outcome(body, custom, known);
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
