#pragma once
// The seed's month file: {"<key>": {record}, ...}. Read with simdjson (the hot read path),
// written compactly as the seed's JSON.stringify did.
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/record_check.h"
#include "core/store.h"

namespace redial {

// Parses a month file's bytes (padded as simdjson requires). Appends to `out`. Throws StoreError
// "<path>: byte <offset>: <what>" for anything it cannot read, naming the record and field.
void parse_month_file(const std::string& path, const std::string& padded_data, std::size_t size,
                      MonthId month, std::vector<StoredRecord>& out);

// Reads one record object; throws InputError(field) naming the bad field.
LeadRecord parse_record(simdjson::ondemand::object obj);
// The same into `r`. REQUIRES: r is a default LeadRecord.
void parse_record_into(simdjson::ondemand::object obj, LeadRecord& r);

// Serializes records as one month file.
void append_month_file_entry(std::string& out, bool first, const std::string& key,
                             const LeadRecord& r);

}  // namespace redial
