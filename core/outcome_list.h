#pragma once
// A lead's outcomes, one per recorded result, oldest first: a small list of ids into one
// process-wide table of outcome names, instead of a vector of strings. A queue holds a handful
// of distinct outcomes and millions of records, so this keeps each record's outcomes inline
// (up to kInline, no allocation) instead of one heap block of 32 bytes per outcome.
//
// Reads as a read-only sequence of `const std::string&` (the names live as long as the
// process); compares equal to a vector of the same strings.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redial {

// The process-wide table of outcome names. Thread-safe; names are never removed, and a name's
// string stays at the same address for the life of the process.
namespace outcome_names {
std::uint32_t intern(std::string_view name);
// The id of a name already interned; false when it never was.
bool find(std::string_view name, std::uint32_t& id);
const std::string& name(std::uint32_t id);
std::size_t size();  // distinct names interned so far
}  // namespace outcome_names

class OutcomeList {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string*;
    using reference = const std::string&;

    const_iterator() = default;
    explicit const_iterator(const std::uint32_t* p) : p_(p) {}
    reference operator*() const { return outcome_names::name(*p_); }
    pointer operator->() const { return &outcome_names::name(*p_); }
    reference operator[](difference_type n) const { return outcome_names::name(p_[n]); }
    const_iterator& operator++() { return ++p_, *this; }
    const_iterator operator++(int) { return const_iterator(p_++); }
    const_iterator& operator--() { return --p_, *this; }
    const_iterator operator--(int) { return const_iterator(p_--); }
    const_iterator& operator+=(difference_type n) { return p_ += n, *this; }
    const_iterator& operator-=(difference_type n) { return p_ -= n, *this; }
    friend const_iterator operator+(const_iterator i, difference_type n) { return i += n; }
    friend const_iterator operator+(difference_type n, const_iterator i) { return i += n; }
    friend const_iterator operator-(const_iterator i, difference_type n) { return i -= n; }
    friend difference_type operator-(const_iterator a, const_iterator b) { return a.p_ - b.p_; }
    friend bool operator==(const_iterator a, const_iterator b) { return a.p_ == b.p_; }
    friend auto operator<=>(const_iterator a, const_iterator b) { return a.p_ <=> b.p_; }
    // The id of the outcome at this position.
    std::uint32_t id() const { return *p_; }

   private:
    const std::uint32_t* p_ = nullptr;
  };
  using iterator = const_iterator;
  using value_type = std::string;
  using size_type = std::size_t;
  using const_reference = const std::string&;
  using reference = const std::string&;

  static constexpr std::uint32_t kInline = 4;

  OutcomeList() : inline_{} {}
  OutcomeList(std::initializer_list<std::string_view> names);
  explicit OutcomeList(const std::vector<std::string>& names);
  OutcomeList(const OutcomeList& other);
  OutcomeList(OutcomeList&& other) noexcept;
  OutcomeList& operator=(const OutcomeList& other);
  OutcomeList& operator=(OutcomeList&& other) noexcept;
  ~OutcomeList() { release(); }

  void push_back(std::string_view name) { push_id(outcome_names::intern(name)); }
  void push_id(std::uint32_t id);
  void clear();

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::string& operator[](std::size_t i) const { return outcome_names::name(ids()[i]); }
  const std::string& front() const { return (*this)[0]; }
  const std::string& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(ids()); }
  const_iterator end() const { return const_iterator(ids() + size_); }
  // How many of the outcomes are `name` (no allocation; 0 for a name never interned).
  std::size_t count(std::string_view name) const;

  operator std::vector<std::string>() const { return {begin(), end()}; }  // NOLINT

  friend bool operator==(const OutcomeList& a, const OutcomeList& b);
  friend bool operator==(const OutcomeList& a, const std::vector<std::string>& b);

 private:
  const std::uint32_t* ids() const { return cap_ > kInline ? heap_ : inline_; }
  std::uint32_t* ids() { return cap_ > kInline ? heap_ : inline_; }
  void release();

  std::uint32_t size_ = 0;
  std::uint32_t cap_ = kInline;
  union {
    std::uint32_t inline_[kInline];
    std::uint32_t* heap_;
  };
};

// An optional name (last_outcome, hold_reason) held as an id into the same table: 8 bytes
// instead of the 40 of a std::optional<std::string>. Reads like that optional: `if (x)`, `*x`,
// `x.value_or("")`, `x = "NAME"`, `x.reset()`, `x == "NAME"`.
class OptionalName {
 public:
  OptionalName() = default;
  OptionalName(std::nullopt_t) {}  // NOLINT
  OptionalName& operator=(std::nullopt_t) { return reset(), *this; }
  OptionalName& operator=(std::string_view name) { return set(name), *this; }
  OptionalName& operator=(const std::string& name) { return set(name), *this; }
  OptionalName& operator=(const char* name) { return set(name), *this; }
  OptionalName& operator=(const std::optional<std::string>& name) {
    if (name) {
      set(*name);
    } else {
      reset();
    }
    return *this;
  }

  bool has_value() const { return has_; }
  explicit operator bool() const { return has_; }
  // REQUIRES: has_value().
  const std::string& operator*() const { return outcome_names::name(id_); }
  const std::string* operator->() const { return &outcome_names::name(id_); }
  const std::string& value() const;  // throws std::bad_optional_access when empty
  std::string value_or(std::string_view fallback) const {
    return has_ ? **this : std::string(fallback);
  }
  void reset() { has_ = false, id_ = 0; }
  operator std::optional<std::string>() const {  // NOLINT
    return has_ ? std::optional<std::string>(**this) : std::nullopt;
  }

  friend bool operator==(const OptionalName& a, const OptionalName& b) {
    return a.has_ == b.has_ && a.id_ == b.id_;
  }
  friend bool operator==(const OptionalName& a, std::string_view b) { return a.has_ && *a == b; }
  friend bool operator==(const OptionalName& a, const std::string& b) { return a.has_ && *a == b; }
  friend bool operator==(const OptionalName& a, const char* b) {
    return a.has_ && *a == std::string_view(b);
  }
  friend bool operator==(const OptionalName& a, const std::optional<std::string>& b) {
    return b ? a == *b : !a.has_;
  }
  friend bool operator==(const OptionalName& a, std::nullopt_t) { return !a.has_; }

 private:
  void set(std::string_view name) { id_ = outcome_names::intern(name), has_ = true; }

  std::uint32_t id_ = 0;
  bool has_ = false;
};

}  // namespace redial
