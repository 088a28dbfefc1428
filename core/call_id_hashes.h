#pragma once
// Hashes of a lead's recent call ids, oldest first, at most `limit` of them (the oldest drops
// out): the queue's duplicate check. Most leads hold one (their last_call_id at load) or none,
// so one is kept inline and a heap block is allocated only from the second on. 16 bytes.
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>

namespace redial {

class CallIdHashes {
 public:
  CallIdHashes() = default;
  CallIdHashes(const CallIdHashes&) = delete;
  CallIdHashes& operator=(const CallIdHashes&) = delete;
  ~CallIdHashes() {
    if (cap_ > 1) delete[] many_;
  }

  std::size_t size() const { return size_; }
  bool contains(std::uint64_t h) const {
    const std::uint64_t* d = data();
    return std::find(d, d + size_, h) != d + size_;
  }
  // Appends h; past `limit` entries the oldest is dropped. REQUIRES: 1 <= limit <= 255.
  void push(std::uint64_t h, std::size_t limit) {
    assert(limit >= 1 && limit <= 255);
    if (size_ == cap_) {
      const auto cap = static_cast<std::uint8_t>(std::min<std::size_t>(cap_ * 2u, limit + 1));
      auto* grown = new std::uint64_t[cap];
      std::memcpy(grown, data(), size_ * sizeof(std::uint64_t));
      if (cap_ > 1) delete[] many_;
      many_ = grown;
      cap_ = cap;
    }
    std::uint64_t* d = data();
    d[size_++] = h;
    if (size_ > limit) {
      std::memmove(d, d + 1, (size_ - 1) * sizeof(std::uint64_t));
      --size_;
    }
  }

 private:
  const std::uint64_t* data() const { return cap_ > 1 ? many_ : &one_; }
  std::uint64_t* data() { return cap_ > 1 ? many_ : &one_; }

  union {
    std::uint64_t one_ = 0;  // cap_ == 1
    std::uint64_t* many_;    // cap_ > 1
  };
  std::uint8_t size_ = 0;
  std::uint8_t cap_ = 1;
};

}  // namespace redial
