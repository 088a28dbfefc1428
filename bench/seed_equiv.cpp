#include "bench/seed_equiv.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace redial::bench {
namespace {

constexpr int kSeedMaxAttempts = 8;
// REDIAL_PROGRESSIVE_INTERVALS=0,0,5,10,30,60,120 (minutes), never less than 2 minutes.
constexpr TimeMs kIntervalsMin[] = {0, 0, 5, 10, 30, 60, 120};

std::string digits_key(const std::string& phone) {
  std::string d;
  for (char c : phone) {
    if (c >= '0' && c <= '9') d += c;
  }
  if (d.size() == 11 && d[0] == '1') d.erase(0, 1);
  return d;
}

}  // namespace

void SeedQueue::load() {
  std::FILE* f = std::fopen(path_.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot read " + path_);
  std::fseek(f, 0, SEEK_END);
  std::string data(static_cast<std::size_t>(std::ftell(f)), '\0');
  std::fseek(f, 0, SEEK_SET);
  bool ok = std::fread(data.data(), 1, data.size(), f) == data.size();
  std::fclose(f);
  if (!ok) throw std::runtime_error("cannot read " + path_);
  nlohmann::json parsed = nlohmann::json::parse(data);
  records_ = std::move(parsed.get_ref<nlohmann::json::object_t&>());
}

void SeedQueue::add_or_update(const SeedResult& r, TimeMs now) {
  std::string key = r.lead_id + "_" + digits_key(r.phone_number);
  auto it = records_.find(key);
  if (it == records_.end()) {
    nlohmann::json rec = {{"lead_id", r.lead_id}, {"phone_number", r.phone_number},
                          {"attempts", 0},        {"outcomes", nlohmann::json::array()},
                          {"created_at", now},    {"status", "pending"}};
    it = records_.emplace(key, std::move(rec)).first;
  }
  nlohmann::json& rec = it->second;
  if (rec.value("last_call_id", nlohmann::json()) == r.call_id) return;  // duplicate webhook
  int attempts = rec["attempts"].get<int>() + 1;
  rec["attempts"] = attempts;
  rec["outcomes"].push_back(r.outcome);
  rec["last_outcome"] = r.outcome;
  rec["last_call_id"] = r.call_id;
  rec["last_call_timestamp"] = now;
  rec["updated_at"] = now;
  TimeMs wait = kIntervalsMin[std::min<int>(attempts, 7) - 1] * kMinuteMs;
  rec["next_redial_timestamp"] = now + std::max<TimeMs>(wait, 2 * kMinuteMs);
  if (r.outcome == "TRANSFERRED") {
    rec["status"] = "completed";
  } else if (attempts >= kSeedMaxAttempts) {
    rec["status"] = "max_attempts";
  } else {
    rec["status"] = "pending";
  }
  save();
}

void SeedQueue::save() const {
  std::string out;
  out.reserve(records_.size() * 448);
  out += '{';
  bool first = true;
  for (const auto& [key, value] : records_) {
    if (!first) out += ',';
    first = false;
    out += nlohmann::json(key).dump();
    out += ':';
    out += value.dump();
  }
  out += '}';
  std::string tmp = path_ + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + tmp);
  bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error("cannot write " + path_);
  }
}

std::vector<const nlohmann::json*> SeedQueue::ready(TimeMs now, TimeMs today_start) const {
  std::vector<const nlohmann::json*> all;  // Array.from(this.records.values())
  all.reserve(records_.size());
  for (const auto& kv : records_) all.push_back(&kv.second);
  std::vector<const nlohmann::json*> today, favorable, under, ready;
  for (const auto* r : all) {
    TimeMs created = (*r)["created_at"].get<TimeMs>();
    if (created >= today_start && created < today_start + kDayMs) today.push_back(r);
  }
  for (const auto* r : today) {
    const std::string& status = (*r)["status"].get_ref<const std::string&>();
    if (status == "pending") {
      favorable.push_back(r);
    } else if (status == "rescheduled") {
      const auto& cb = (*r)["scheduled_callback_time"];
      if (cb.is_number() && cb.get<TimeMs>() <= now) favorable.push_back(r);
    }
  }
  for (const auto* r : favorable) {
    if ((*r)["attempts"].get<int>() < kSeedMaxAttempts) under.push_back(r);
  }
  for (const auto* r : under) {
    if ((*r)["next_redial_timestamp"].get<TimeMs>() <= now) ready.push_back(r);
  }
  return ready;
}

}  // namespace redial::bench
