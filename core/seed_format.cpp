#include "core/seed_format.h"

#include <simdjson.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace redial {
namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

std::string text_field(value v, const char* field) {
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

std::optional<std::string> optional_text(value v, const char* field) {
  if (v.type() == json_type::null) return std::nullopt;
  return text_field(v, field);
}

std::int64_t int_field(value v, const char* field) {
  if (v.type() != json_type::number) throw InputError(field, "expected a number");
  if (v.get_number_type() == simdjson::ondemand::number_type::floating_point_number) {
    double d = v.get_double();
    if (!std::isfinite(d)) throw InputError(field, "expected a finite number");
    return static_cast<std::int64_t>(std::llround(d));
  }
  return v.get_int64();
}

std::optional<std::int64_t> optional_int(value v, const char* field) {
  if (v.type() == json_type::null) return std::nullopt;
  return int_field(v, field);
}

}  // namespace

LeadRecord parse_record(simdjson::ondemand::object obj) {
  LeadRecord r;
  bool has_lead = false, has_phone = false, has_status = false;
  for (auto field : obj) {
    std::string_view k = field.unescaped_key();
    value v = field.value();
    if (k == "lead_id") {
      r.lead_id = text_field(v, "lead_id");
      has_lead = true;
    } else if (k == "phone_number") {
      r.phone_number = text_field(v, "phone_number");
      has_phone = true;
    } else if (k == "list_id") {
      r.list_id = text_field(v, "list_id");
    } else if (k == "first_name") {
      r.first_name = text_field(v, "first_name");
    } else if (k == "last_name") {
      r.last_name = text_field(v, "last_name");
    } else if (k == "state") {
      r.state = text_field(v, "state");
    } else if (k == "attempts") {
      r.attempts = static_cast<int>(int_field(v, "attempts"));
      if (r.attempts < 0) throw InputError("attempts", "negative");
    } else if (k == "last_call_timestamp") {
      r.last_call_timestamp = optional_int(v, "last_call_timestamp");
    } else if (k == "next_redial_timestamp") {
      r.next_redial_timestamp = optional_int(v, "next_redial_timestamp").value_or(0);
    } else if (k == "scheduled_callback_time") {
      r.scheduled_callback_time = optional_int(v, "scheduled_callback_time");
    } else if (k == "outcomes") {
      if (v.type() == json_type::null) continue;
      if (v.type() != json_type::array) throw InputError("outcomes", "expected an array");
      for (auto item : v.get_array()) {
        value iv = item.value();
        r.outcomes.push_back(text_field(iv, "outcomes"));
      }
    } else if (k == "last_outcome") {
      r.last_outcome = optional_text(v, "last_outcome");
    } else if (k == "last_call_id") {
      r.last_call_id = optional_text(v, "last_call_id");
    } else if (k == "created_at") {
      r.created_at = int_field(v, "created_at");
    } else if (k == "updated_at") {
      r.updated_at = int_field(v, "updated_at");
    } else if (k == "status") {
      if (v.type() != json_type::string) throw InputError("status", "expected a string");
      r.status = parse_status(std::string_view(v.get_string()));
      has_status = true;
    } else if (k == "recent_call_times") {
      if (v.type() == json_type::null) continue;
      if (v.type() != json_type::array) throw InputError("recent_call_times", "expected an array");
      for (auto item : v.get_array()) {
        value iv = item.value();
        r.recent_call_times.push_back(int_field(iv, "recent_call_times"));
      }
    } else if (k == "hold_reason") {
      r.hold_reason = optional_text(v, "hold_reason");
    }
    // Unknown fields are skipped; the seed wrote none.
  }
  if (!has_lead) throw InputError("lead_id", "missing");
  if (!has_phone) throw InputError("phone_number", "missing");
  if (!has_status) throw InputError("status", "missing");
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
  // Records are ~400 bytes of JSON each; reserving spares the vector's regrowth copies (on a
  // VM each fresh page costs a fault, and those dominated loading a big file).
  out.reserve(out.size() + size / 256 + 16);
  try {
    doc = parser.iterate(view);
    iterating = true;
    simdjson::ondemand::object top = doc.get_object();
    for (auto field : top) {
      current_key = std::string(std::string_view(field.unescaped_key()));
      simdjson::ondemand::value v = field.value();
      if (v.type() != json_type::object) throw InputError("record", "expected an object");
      StoredRecord sr{month, current_key, parse_record(v.get_object())};
      out.push_back(std::move(sr));
    }
  } catch (const InputError& e) {
    const char* loc = nullptr;
    if (doc.current_location().get(loc) != simdjson::SUCCESS) loc = nullptr;
    throw StoreError(where(loc) + "record \"" + current_key + "\": " + e.what());
  } catch (const simdjson::simdjson_error& e) {
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

void append_month_file_entry(std::string& out, bool first, const std::string& key,
                             const LeadRecord& r) {
  if (!first) out += ',';
  append_json_string(out, key);
  out += ':';
  append_record_json(out, r);
}

}  // namespace redial
