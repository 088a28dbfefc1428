#include "sim/trace.h"

namespace redial::sim {

std::uint64_t fnv1a64(std::string_view data, std::uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

std::string hex64(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xf];
  return s;
}

void Trace::line(std::string_view text) {
  hash_ = fnv1a64(text, hash_);
  hash_ = fnv1a64("\n", hash_);
  ++lines_;
  if (out_ != nullptr) {
    std::fprintf(out_, "%s%.*s\n", prefix_.c_str(), static_cast<int>(text.size()), text.data());
  }
}

}  // namespace redial::sim
