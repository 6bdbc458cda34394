#pragma once
// Chunk digests as keys of one flat open-addressing table: 32 bytes a digest plus its value, no
// per-chunk heap allocation (a million strings as keys would cost five times as much). Digests
// are uniformly distributed, so their first 8 bytes are the hash. The table grows by half when
// 80% full, so it is 53-80% full, about 48 bytes a digest on average for a set.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "util/sha256.h"

namespace pbs::datastore {

// Hash of a digest for std::unordered_map: its first bytes are already uniformly distributed.
struct DigestHash {
  std::size_t operator()(const Digest& d) const {
    std::size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

template <class V>
class DigestMap {
 public:
  explicit DigestMap(std::size_t expected = 0) { rehash(capacity_for(expected)); }

  // The value of `d`, inserted as `value` when `d` was not there; second: whether it was inserted.
  std::pair<V*, bool> emplace(const Digest& d, V value = V{}) {
    if (is_zero(d)) {
      bool added = !has_zero_;
      if (added) zero_value_ = std::move(value);
      has_zero_ = true;
      return {&zero_value_, added};
    }
    if ((size_ + 1) * 10 > slots_.size() * 8) rehash(std::max<std::size_t>(16, slots_.size() + slots_.size() / 2));
    std::size_t i = find_slot(d);
    if (!is_zero(slots_[i].key)) return {&slots_[i].value, false};
    slots_[i] = Slot{d, std::move(value)};
    ++size_;
    return {&slots_[i].value, true};
  }

  const V* find(const Digest& d) const {
    if (is_zero(d)) return has_zero_ ? &zero_value_ : nullptr;
    if (slots_.empty()) return nullptr;  // moved from
    const Slot& s = slots_[find_slot(d)];
    return is_zero(s.key) ? nullptr : &s.value;
  }
  bool contains(const Digest& d) const { return find(d) != nullptr; }

  std::size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
  bool empty() const { return size() == 0; }

  // f(digest, value), in no particular order.
  template <class F>
  void for_each(F&& f) const {
    if (has_zero_) f(Digest{}, zero_value_);
    for (const auto& s : slots_) {
      if (!is_zero(s.key)) f(s.key, s.value);
    }
  }

 private:
  struct Slot {
    Digest key{};  // all zero: empty (the zero digest itself is kept apart)
    [[no_unique_address]] V value{};
  };
  // Word compares: these run hundreds of millions of times in a big plan, and a call to memcmp
  // per probe was a sixth of its time.
  static std::uint64_t word(const Digest& d, int i) {
    std::uint64_t w;
    std::memcpy(&w, d.data() + 8 * i, 8);
    return w;
  }
  static bool is_zero(const Digest& d) { return (word(d, 0) | word(d, 1) | word(d, 2) | word(d, 3)) == 0; }
  static bool same(const Digest& a, const Digest& b) {
    return ((word(a, 0) ^ word(b, 0)) | (word(a, 1) ^ word(b, 1)) | (word(a, 2) ^ word(b, 2)) |
            (word(a, 3) ^ word(b, 3))) == 0;
  }
  static std::size_t capacity_for(std::size_t n) { return std::max<std::size_t>(16, n * 10 / 8 + 1); }
  std::size_t find_slot(const Digest& d) const {
    std::uint64_t h;
    std::memcpy(&h, d.data(), sizeof h);
    // The hash scaled onto [0, capacity): no power-of-two capacity needed.
    std::size_t i = std::size_t((static_cast<unsigned __int128>(h) * slots_.size()) >> 64);
    while (!is_zero(slots_[i].key) && !same(slots_[i].key, d)) {
      if (++i == slots_.size()) i = 0;
    }
    return i;
  }
  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    for (auto& s : old) {
      if (!is_zero(s.key)) slots_[find_slot(s.key)] = std::move(s);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  bool has_zero_ = false;
  V zero_value_{};
};

}  // namespace pbs::datastore
