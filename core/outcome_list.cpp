#include "core/outcome_list.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace redial {

namespace outcome_names {
namespace {

// Names live in fixed chunks that never move, so name(id) reads without a lock: an id is only
// handed out after its string is in place (under the mutex), and reaches another thread only
// through a record that thread was given.
constexpr std::size_t kChunkBits = 10;
constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
constexpr std::size_t kMaxChunks = 1 << 14;  // 16M names

struct Table {
  std::mutex mu;
  std::unordered_map<std::string_view, std::uint32_t> ids;  // views of the chunks' strings
  std::array<std::atomic<std::string*>, kMaxChunks> chunks{};
  std::uint32_t count = 0;
};

Table& table() {
  static Table* t = new Table();  // never destroyed: records may outlive static destruction
  return *t;
}

}  // namespace

std::uint32_t intern(std::string_view name) {
  Table& t = table();
  std::lock_guard lock(t.mu);
  if (auto it = t.ids.find(name); it != t.ids.end()) return it->second;
  const std::uint32_t id = t.count;
  const std::size_t chunk = id >> kChunkBits;
  if (chunk >= kMaxChunks) throw std::length_error("too many distinct outcome names");
  std::string* strings = t.chunks[chunk].load(std::memory_order_relaxed);
  if (!strings) {
    strings = new std::string[kChunkSize];
    t.chunks[chunk].store(strings, std::memory_order_release);
  }
  std::string& slot = strings[id & (kChunkSize - 1)];
  slot.assign(name);
  t.ids.emplace(std::string_view(slot), id);
  ++t.count;
  return id;
}

bool find(std::string_view name, std::uint32_t& id) {
  Table& t = table();
  std::lock_guard lock(t.mu);
  auto it = t.ids.find(name);
  if (it == t.ids.end()) return false;
  id = it->second;
  return true;
}

const std::string& name(std::uint32_t id) {
  const std::string* strings = table().chunks[id >> kChunkBits].load(std::memory_order_acquire);
  return strings[id & (kChunkSize - 1)];
}

std::size_t size() {
  Table& t = table();
  std::lock_guard lock(t.mu);
  return t.count;
}

}  // namespace outcome_names

OutcomeList::OutcomeList(std::initializer_list<std::string_view> names) : OutcomeList() {
  for (std::string_view n : names) push_back(n);
}

OutcomeList::OutcomeList(const std::vector<std::string>& names) : OutcomeList() {
  for (const std::string& n : names) push_back(n);
}

OutcomeList::OutcomeList(const OutcomeList& other) : OutcomeList() { *this = other; }

OutcomeList::OutcomeList(OutcomeList&& other) noexcept : size_(other.size_), cap_(other.cap_) {
  if (cap_ > kInline) {
    heap_ = other.heap_;
  } else {
    std::memcpy(inline_, other.inline_, sizeof inline_);
  }
  other.size_ = 0;
  other.cap_ = kInline;
}

OutcomeList& OutcomeList::operator=(const OutcomeList& other) {
  if (this == &other) return *this;
  if (other.size_ > cap_) {
    release();
    heap_ = new std::uint32_t[other.size_];
    cap_ = other.size_;
  }
  std::copy(other.ids(), other.ids() + other.size_, ids());
  size_ = other.size_;
  return *this;
}

OutcomeList& OutcomeList::operator=(OutcomeList&& other) noexcept {
  if (this == &other) return *this;
  release();
  size_ = other.size_;
  cap_ = other.cap_;
  if (cap_ > kInline) {
    heap_ = other.heap_;
  } else {
    std::memcpy(inline_, other.inline_, sizeof inline_);
  }
  other.size_ = 0;
  other.cap_ = kInline;
  return *this;
}

void OutcomeList::release() {
  if (cap_ > kInline) delete[] heap_;
  cap_ = kInline;
  size_ = 0;
}

void OutcomeList::push_id(std::uint32_t id) {
  if (size_ == cap_) {
    const std::uint32_t cap = cap_ * 2;
    auto* grown = new std::uint32_t[cap];
    std::copy(ids(), ids() + size_, grown);
    const std::uint32_t size = size_;
    release();
    heap_ = grown;
    cap_ = cap;
    size_ = size;
  }
  ids()[size_++] = id;
}

void OutcomeList::clear() { size_ = 0; }

std::size_t OutcomeList::count(std::string_view name) const {
  std::uint32_t id = 0;
  if (!outcome_names::find(name, id)) return 0;
  return static_cast<std::size_t>(std::count(ids(), ids() + size_, id));
}

const std::string& OptionalName::value() const {
  if (!has_) throw std::bad_optional_access();
  return **this;
}

bool operator==(const OutcomeList& a, const OutcomeList& b) {
  // One table for the process: equal names have equal ids.
  return a.size_ == b.size_ && std::equal(a.ids(), a.ids() + a.size_, b.ids());
}

bool operator==(const OutcomeList& a, const std::vector<std::string>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace redial
