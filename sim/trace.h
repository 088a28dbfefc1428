#pragma once
// The trace: one line per event and per queue decision, in order. Every line feeds a stable
// FNV-1a 64 hash (the replay fingerprint of a seed); lines are printed only with --trace.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace redial::sim {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;

// FNV-1a 64 of `data`, continuing from `h`.
std::uint64_t fnv1a64(std::string_view data, std::uint64_t h = kFnvOffset);
std::string hex64(std::uint64_t v);  // "0123456789abcdef"

class Trace {
 public:
  // out: where lines are printed (nullptr: hashed only). prefix: put before every printed line.
  explicit Trace(std::FILE* out = nullptr, std::string prefix = {})
      : out_(out), prefix_(std::move(prefix)) {}

  void line(std::string_view text);
  std::uint64_t hash() const { return hash_; }
  std::uint64_t lines() const { return lines_; }

 private:
  std::FILE* out_;
  std::string prefix_;
  std::uint64_t hash_ = kFnvOffset;
  std::uint64_t lines_ = 0;
};

}  // namespace redial::sim
