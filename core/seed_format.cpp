#include "core/seed_format.h"

#include <simdjson.h>

#include <cassert>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace redial {
namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

// The general readers, for any value the fast paths below do not take.
std::string text_field_slow(value v, const char* field) {
  switch (v.type()) {
    case json_type::string:
      return std::string(std::string_view(v.get_string()));
    case json_type::number: {  // ids written as numbers by some CRMs
      std::string_view raw = v.raw_json_token();
      while (!raw.empty() &&
             (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
        raw.remove_suffix(1);
      return std::string(raw);
    }
    case json_type::null:
      return std::string();
    default:
      throw InputError(field, "expected a string");
  }
}

std::int64_t int_field_slow(value v, const char* field) {
  if (v.type() != json_type::number) throw InputError(field, "expected a number");
  if (v.get_number_type() == simdjson::ondemand::number_type::floating_point_number) {
    double d = v.get_double();
    if (!std::isfinite(d)) throw InputError(field, "expected a finite number");
    return static_cast<std::int64_t>(std::llround(d));
  }
  return v.get_int64();
}

// Fast paths: a string or an integer is read in one step (a failed get_* does not move the
// iterator, so the general reader then sees the same value).
void assign_text(value v, const char* field, std::string& out) {
  std::string_view sv;
  if (v.get_string().get(sv) == simdjson::SUCCESS)
    out = std::string(sv);  // exactly sized; assign() would reserve twice the inline 15 bytes
  else
    out = text_field_slow(v, field);
}

std::optional<std::string> optional_text(value v, const char* field) {
  std::string_view sv;
  if (v.get_string().get(sv) == simdjson::SUCCESS) return std::string(sv);
  if (v.type() == json_type::null) return std::nullopt;
  return text_field_slow(v, field);
}

std::int64_t int_field(value v, const char* field) {
  std::int64_t n = 0;
  if (v.get_int64().get(n) == simdjson::SUCCESS) return n;
  return int_field_slow(v, field);
}

std::optional<std::int64_t> optional_int(value v, const char* field) {
  std::int64_t n = 0;
  if (v.get_int64().get(n) == simdjson::SUCCESS) return n;
  if (v.type() == json_type::null) return std::nullopt;
  return int_field_slow(v, field);
}

enum class Field : std::uint8_t {
  kLeadId,
  kPhone,
  kListId,
  kFirstName,
  kLastName,
  kState,
  kAttempts,
  kLastCallTs,
  kNextRedialTs,
  kCallbackTime,
  kOutcomes,
  kLastOutcome,
  kLastCallId,
  kCreatedAt,
  kUpdatedAt,
  kStatus,
  kRecentCallTimes,
  kHoldReason,
  kPausedFrom,
  kUnknown
};
// In the order the writer puts them (lead_record.cpp), so a file we wrote needs one comparison
// a field.
constexpr std::string_view kFieldNames[] = {"lead_id",
                                            "phone_number",
                                            "list_id",
                                            "first_name",
                                            "last_name",
                                            "state",
                                            "attempts",
                                            "last_call_timestamp",
                                            "next_redial_timestamp",
                                            "scheduled_callback_time",
                                            "outcomes",
                                            "last_outcome",
                                            "last_call_id",
                                            "created_at",
                                            "updated_at",
                                            "status",
                                            "recent_call_times",
                                            "hold_reason",
                                            "paused_from"};
constexpr std::size_t kFieldCount = std::size(kFieldNames);
static_assert(kFieldCount == static_cast<std::size_t>(Field::kUnknown));

Field field_named(std::string_view k) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (k == kFieldNames[i]) return static_cast<Field>(i);
  return Field::kUnknown;
}

// The field a key names. The raw key is compared with the name the writer's order puts next
// (`expected`), without unescaping; any other key is unescaped and looked up among all names.
Field classify(simdjson::ondemand::field& field, std::size_t expected) {
  if (expected < kFieldCount && field.key().unsafe_is_equal(kFieldNames[expected]))
    return static_cast<Field>(expected);
  return field_named(field.unescaped_key());
}

// The contact fields (list_id, names, state): text, copied as they are.
void parse_contact_field(Field f, value& v, LeadRecord& r) {
  switch (f) {
    case Field::kListId:
      return assign_text(v, "list_id", r.list_id);
    case Field::kFirstName:
      return assign_text(v, "first_name", r.first_name);
    case Field::kLastName:
      return assign_text(v, "last_name", r.last_name);
    default:
      return assign_text(v, "state", r.state);
  }
}

void parse_outcomes(value& v, LeadRecord& r) {
  if (v.type() == json_type::null) return;
  if (v.type() != json_type::array) throw InputError("outcomes", "expected an array");
  for (auto item : v.get_array()) {
    value iv = item.value();
    std::string_view sv;
    if (iv.get_string().get(sv) == simdjson::SUCCESS)
      r.outcomes.push_back(sv);  // interned straight from the parser's buffer
    else
      r.outcomes.push_back(text_field_slow(iv, "outcomes"));
  }
}

// The optional times: last call, next redial (0 when null), callback.
void parse_schedule_field(Field f, value& v, LeadRecord& r) {
  if (f == Field::kLastCallTs)
    r.last_call_timestamp = optional_int(v, "last_call_timestamp");
  else if (f == Field::kNextRedialTs)
    r.next_redial_timestamp = optional_int(v, "next_redial_timestamp").value_or(0);
  else
    r.scheduled_callback_time = optional_int(v, "scheduled_callback_time");
}

LeadStatus status_field(value& v, const char* field) {
  std::string_view sv;
  if (v.get_string().get(sv) != simdjson::SUCCESS) throw InputError(field, "expected a string");
  return parse_status(sv);
}

void parse_recent_call_times(value& v, LeadRecord& r) {
  if (v.type() == json_type::null) return;
  if (v.type() != json_type::array) throw InputError("recent_call_times", "expected an array");
  for (auto item : v.get_array()) {
    value iv = item.value();
    r.recent_call_times.push_back(int_field(iv, "recent_call_times"));
  }
}

}  // namespace

void parse_record_into(simdjson::ondemand::object obj, LeadRecord& r) {
  assert(r == LeadRecord{});  // REQUIRES: r is a default LeadRecord
  bool has_lead = false, has_phone = false, has_status = false;
  std::size_t expected = 0;
  for (auto item : obj) {
    simdjson::ondemand::field field;
    if (auto error = std::move(item).get(field)) throw simdjson::simdjson_error(error);
    const Field f = classify(field, expected);
    expected = static_cast<std::size_t>(f) + 1;
    value v = field.value();
    switch (f) {
      case Field::kLeadId:
        assign_text(v, "lead_id", r.lead_id);
        has_lead = true;
        break;
      case Field::kPhone:
        assign_text(v, "phone_number", r.phone_number);
        has_phone = true;
        break;
      case Field::kListId:
      case Field::kFirstName:
      case Field::kLastName:
      case Field::kState:
        parse_contact_field(f, v, r);
        break;
      case Field::kAttempts:
        if ((r.attempts = static_cast<int>(int_field(v, "attempts"))) < 0)
          throw InputError("attempts", "negative");
        break;
      case Field::kLastCallTs:
      case Field::kNextRedialTs:
      case Field::kCallbackTime:
        parse_schedule_field(f, v, r);
        break;
      case Field::kOutcomes:
        parse_outcomes(v, r);
        break;
      case Field::kLastOutcome:
        r.last_outcome = optional_text(v, "last_outcome");
        break;
      case Field::kLastCallId:
        r.last_call_id = optional_text(v, "last_call_id");
        break;
      case Field::kCreatedAt:
        r.created_at = int_field(v, "created_at");
        break;
      case Field::kUpdatedAt:
        r.updated_at = int_field(v, "updated_at");
        break;
      case Field::kStatus:
        r.status = status_field(v, "status");
        has_status = true;
        break;
      case Field::kRecentCallTimes:
        parse_recent_call_times(v, r);
        break;
      case Field::kHoldReason:
        r.hold_reason = optional_text(v, "hold_reason");
        break;
      case Field::kPausedFrom:
        if (v.type() != json_type::null) r.paused_from = status_field(v, "paused_from");
        break;
      case Field::kUnknown:  // skipped; the seed wrote none
        break;
    }
  }
  if (!has_lead) throw InputError("lead_id", "missing");
  if (!has_phone) throw InputError("phone_number", "missing");
  if (!has_status) throw InputError("status", "missing");
}

LeadRecord parse_record(simdjson::ondemand::object obj) {
  LeadRecord r;
  parse_record_into(obj, r);
  return r;
}

void parse_month_file(const std::string& path, const std::string& padded_data, std::size_t size,
                      MonthId month, std::vector<StoredRecord>& out) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string_view view(padded_data.data(), size, padded_data.size());
  simdjson::ondemand::document doc;
  std::string current_key;
  auto where = [&](const char* loc) {
    std::size_t offset = loc ? static_cast<std::size_t>(loc - padded_data.data()) : size;
    if (offset > size) offset = size;
    return path + ": byte " + std::to_string(offset) + ": ";
  };
  bool iterating = false;
  bool partial = false;  // out.back() is a record not fully read
  // Records are ~400 bytes of JSON each; reserving spares the vector's regrowth copies (on a
  // VM each fresh page costs a fault, and those dominated loading a big file).
  out.reserve(out.size() + size / 256 + 16);
  try {
    doc = parser.iterate(view);
    iterating = true;
    simdjson::ondemand::object top = doc.get_object();
    for (auto field : top) {
      current_key.assign(std::string_view(field.unescaped_key()));
      simdjson::ondemand::value v = field.value();
      if (v.type() != json_type::object) throw InputError("record", "expected an object");
      // Read in place: a LeadRecord is ~450 bytes, and moving each one into the vector showed.
      StoredRecord& sr = out.emplace_back();
      partial = true;
      sr.month = month;
      sr.key = std::string(current_key);  // exactly sized (see assign_text)
      parse_record_into(v.get_object(), sr.record);
      partial = false;
    }
  } catch (const InputError& e) {
    if (partial) out.pop_back();
    const char* loc = nullptr;
    if (doc.current_location().get(loc) != simdjson::SUCCESS) loc = nullptr;
    throw StoreError(where(loc) + "record \"" + current_key + "\": " + e.what());
  } catch (const simdjson::simdjson_error& e) {
    if (partial) out.pop_back();
    // Slow path, errors only: nlohmann's parser reports the exact byte of a syntax error.
    try {
      auto accepted = nlohmann::json::parse(padded_data.begin(), padded_data.begin() + size);
      (void)accepted;
    } catch (const nlohmann::json::parse_error& pe) {
      std::string ctx = current_key.empty() ? "" : "after record \"" + current_key + "\": ";
      throw StoreError(path + ": byte " + std::to_string(pe.byte) + ": " + ctx +
                       "not valid JSON (" + e.what() + ")");
    } catch (const nlohmann::json::exception&) {
      // Valid syntax nlohmann cannot hold either (a number overflowing a double, found by
      // fuzz_month_file): fall through to the StoreError below rather than escape.
    }
    const char* loc = nullptr;
    if (!iterating || doc.current_location().get(loc) != simdjson::SUCCESS) loc = nullptr;
    std::string ctx = current_key.empty() ? "" : "in record \"" + current_key + "\": ";
    throw StoreError(where(loc) + ctx + "unexpected JSON shape (" + e.what() + ")");
  }
}

namespace {
constexpr TimeMs kYear2000Ms = 946684800000;  // 2000-01-01T00:00:00Z
// A record written by a runner whose clock ran a little ahead is not "in the future".
constexpr TimeMs kFutureSlackMs = 10 * kMinuteMs;
}  // namespace

void check_record_values(const std::string& key, const LeadRecord& r, const RecordCheckRules& rules,
                         MonthFileProblems& out) {
  ++out.records;
  std::vector<std::pair<const char*, std::string>> found;
  if (static_cast<std::size_t>(r.attempts) != r.outcomes.size())
    found.emplace_back("attempts_vs_outcomes", "attempts " + std::to_string(r.attempts) + " with " +
                                                   std::to_string(r.outcomes.size()) +
                                                   " outcome(s)");
  if (rules.is_known) {
    std::optional<std::string> unknown;
    for (const std::string& o : r.outcomes)
      if (!unknown && !rules.is_known(o)) unknown = o;
    if (!unknown && r.last_outcome && !rules.is_known(*r.last_outcome)) unknown = *r.last_outcome;
    if (unknown)
      found.emplace_back("unknown_outcome", "outcome \"" + *unknown + "\" is not a known outcome");
  }
  // Times that record the past; next_redial_timestamp and scheduled_callback_time may be ahead.
  std::vector<std::pair<const char*, TimeMs>> past{{"created_at", r.created_at},
                                                   {"updated_at", r.updated_at}};
  if (r.last_call_timestamp) past.emplace_back("last_call_timestamp", *r.last_call_timestamp);
  for (TimeMs t : r.recent_call_times) past.emplace_back("recent_call_times", t);
  std::vector<std::pair<const char*, TimeMs>> any = past;
  if (r.next_redial_timestamp != 0)
    any.emplace_back("next_redial_timestamp", r.next_redial_timestamp);
  if (r.scheduled_callback_time)
    any.emplace_back("scheduled_callback_time", *r.scheduled_callback_time);
  for (const auto& [field, t] : any)
    if (t < kYear2000Ms) {
      found.emplace_back("timestamp_before_2000", std::string(field) + " " + std::to_string(t));
      break;
    }
  if (rules.now_ms)
    for (const auto& [field, t] : past)
      if (t > *rules.now_ms + kFutureSlackMs) {
        found.emplace_back("timestamp_in_future", std::string(field) + " " + std::to_string(t));
        break;
      }
  if (found.empty()) return;
  ++out.bad_records;
  for (const auto& [kind, what] : found) ++out.counts[kind];
  if (out.first.empty())
    out.first =
        "record \"" + key + "\": " + found.front().first + " (" + found.front().second + ")";
}

std::string describe_problem_counts(const MonthFileProblems& p) {
  std::string out;
  for (const auto& [kind, n] : p.counts)
    out += (out.empty() ? "" : ", ") + kind + ": " + std::to_string(n);
  return out;
}

void append_month_file_entry(std::string& out, bool first, const std::string& key,
                             const LeadRecord& r) {
  if (!first) out += ',';
  append_json_string(out, key);
  out += ':';
  append_record_json(out, r);
}

}  // namespace redial
