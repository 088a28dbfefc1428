#pragma once
// The three ways the core refuses something; each message names what was wrong and where.
#include <stdexcept>
#include <string>

namespace redial {

// A setting has a bad value. what() starts with the setting's name.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& setting, const std::string& reason)
      : std::runtime_error(setting + ": " + reason), setting_(setting) {}
  const std::string& setting() const { return setting_; }

 private:
  std::string setting_;
};

// A call result or lead that cannot be used. Nothing was changed when this is thrown.
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& field, const std::string& reason)
      : std::runtime_error(field + ": " + reason), field_(field) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// Stored data could not be read or written. what() names the file and, when known, the byte
// offset. A store that threw this while loading has changed nothing on disk.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace redial
