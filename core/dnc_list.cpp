#include "core/dnc_list.h"

#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "core/phone.h"

namespace redial {

DncList DncList::parse(std::string_view text, const std::string& source) {
  DncList list;
  int number = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++number;
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    try {
      list.numbers_.insert(normalize_phone(line));
    } catch (const InputError& e) {
      throw ConfigError(source, "line " + std::to_string(number) + ": \"" + std::string(line) +
                                    "\" is not a phone number (" + e.what() + ")");
    }
  }
  return list;
}

DncList DncList::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "cannot read the do-not-call file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

}  // namespace redial
