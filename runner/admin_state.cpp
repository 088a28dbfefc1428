#include "runner/admin_state.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/phone.h"

namespace redial::runner {

using nlohmann::json;

namespace {

// The file's JSON object, or nullopt when it does not exist.
std::optional<json> read_json(FileSystem& fs, const std::string& path) {
  if (!fs.exists(path)) return std::nullopt;
  std::string text;
  std::size_t size = fs.read_file(path, text, 0);
  text.resize(size);
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw ConfigError(path, "not a JSON object (written by the admin API; fix or remove it)");
  return j;
}

}  // namespace

void AdminState::load() {
  if (auto j = read_json(fs_, switch_path())) {
    QueueSwitch s;
    try {
      s.enabled = j->at("enabled").get<bool>();
      if (j->contains("reason") && !(*j)["reason"].is_null())
        s.reason = (*j)["reason"].get<std::string>();
      if (j->contains("changed_at") && !(*j)["changed_at"].is_null())
        s.changed_at = (*j)["changed_at"].get<TimeMs>();
    } catch (const json::exception& e) {
      throw ConfigError(switch_path(), e.what());
    }
    switch_ = s;
  }
  if (auto j = read_json(fs_, dnc_path())) {
    std::map<std::string, AdminDncEntry> numbers;
    try {
      for (const json& n : j->at("numbers")) {
        std::string phone = normalize_phone(n.at("phone").get<std::string>());
        numbers[phone] = AdminDncEntry{n.value("reason", ""), n.value("added_at", TimeMs{0})};
      }
    } catch (const std::exception& e) {
      throw ConfigError(dnc_path(), e.what());
    }
    dnc_ = std::move(numbers);
  }
}

void AdminState::save_switch(const QueueSwitch& s) {
  json j{{"enabled", s.enabled},
         {"reason", s.reason ? json(*s.reason) : json(nullptr)},
         {"changed_at", s.changed_at ? json(*s.changed_at) : json(nullptr)}};
  fs_.create_dirs(dir_);
  write_file_atomically(fs_, dir_, switch_path(), j.dump() + "\n", fsync_);
  switch_ = s;
}

void AdminState::write_dnc(const std::map<std::string, AdminDncEntry>& numbers) {
  json list = json::array();
  for (const auto& [phone, e] : numbers)
    list.push_back(json{{"phone", phone}, {"reason", e.reason}, {"added_at", e.added_at}});
  fs_.create_dirs(dir_);
  write_file_atomically(fs_, dir_, dnc_path(), json{{"numbers", list}}.dump(1) + "\n", fsync_);
}

void AdminState::add_dnc(const std::string& phone, AdminDncEntry entry) {
  auto numbers = dnc_;
  numbers[phone] = std::move(entry);
  write_dnc(numbers);
  dnc_ = std::move(numbers);
}

bool AdminState::remove_dnc(const std::string& phone) {
  if (!dnc_.count(phone)) return false;
  auto numbers = dnc_;
  numbers.erase(phone);
  write_dnc(numbers);
  dnc_ = std::move(numbers);
  return true;
}

}  // namespace redial::runner
