#pragma once
// A do-not-call file: one number a line, in any common format ("+1 (555) 010-0001",
// "555.010.0001", "15550100001"), normalized like lead keys. '#' starts a comment.
#include <string>
#include <string_view>
#include <unordered_set>

namespace redial {

class DncList {
 public:
  // Throws ConfigError(source) naming the line of the first number that cannot be read: a
  // list with a bad line is refused whole, so a reload never drops numbers silently.
  static DncList parse(std::string_view text, const std::string& source);
  static DncList load(const std::string& path);

  // REQUIRES: normalized_phone comes from normalize_phone.
  bool contains(const std::string& normalized_phone) const {
    return numbers_.count(normalized_phone) != 0;
  }
  std::size_t size() const { return numbers_.size(); }

 private:
  std::unordered_set<std::string> numbers_;
};

}  // namespace redial
