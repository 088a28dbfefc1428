#pragma once
// The seed's design, reimplemented faithfully for the ratios in performance.md: the month file is
// parsed whole into a DOM (nlohmann, as JSON.parse) held in a map; every webhook updates the map
// and rewrites the whole file (write .tmp, rename, no fsync); every tick reloads the file and runs
// the four filters over every record. Nothing here is used by the product.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.h"

namespace redial::bench {

struct SeedResult {
  std::string lead_id;
  std::string phone_number;  // "+1..." as Bland sends it
  std::string outcome;
  std::string call_id;
};

class SeedQueue {
 public:
  explicit SeedQueue(std::string path) : path_(std::move(path)) {}

  // loadCurrentMonthRecords: readFileSync + JSON.parse + new Map(entries).
  void load();
  // addOrUpdateLead followed by saveRecords (the seed awaited the write before answering).
  void add_or_update(const SeedResult& r, TimeMs now);
  // saveRecords: JSON.stringify of the whole map to path.tmp, then rename over the file.
  void save() const;
  // processQueue's filters over every record (today, favorable status, under max attempts,
  // time ready), each producing a new array as the seed's filter() chain did.
  std::vector<const nlohmann::json*> ready(TimeMs now, TimeMs today_start) const;
  std::size_t size() const { return records_.size(); }
  // Drops the map (JavaScript's GC did this off the measured path).
  void clear() { records_.clear(); }

 private:
  std::string path_;
  nlohmann::json::object_t records_;
};

}  // namespace redial::bench
