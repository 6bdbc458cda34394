#pragma once
// A set of chunk digests in one flat open-addressing table: 32 bytes a digest, no per-chunk heap
// allocation, so a million chunks cost about 45 MB, not a million strings. Digests are uniformly
// distributed, so their first 8 bytes are the hash.

#include <cstdint>
#include <cstring>
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

class DigestSet {
 public:
  explicit DigestSet(std::size_t expected = 0) { rehash(capacity_for(expected)); }

  // True when the digest was not in the set yet.
  bool insert(const Digest& d) {
    if (is_empty_marker(d)) {
      bool added = !has_zero_;
      has_zero_ = true;
      return added;
    }
    if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
    std::size_t i = find_slot(d);
    if (!is_empty_marker(slots_[i])) return false;
    slots_[i] = d;
    ++size_;
    return true;
  }

  bool contains(const Digest& d) const {
    if (is_empty_marker(d)) return has_zero_;
    return !is_empty_marker(slots_[find_slot(d)]);
  }

  std::size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
  bool empty() const { return size() == 0; }

  template <class F>
  void for_each(F&& f) const {
    if (has_zero_) f(Digest{});
    for (const auto& d : slots_) {
      if (!is_empty_marker(d)) f(d);
    }
  }

  std::vector<Digest> to_vector() const {
    std::vector<Digest> out;
    out.reserve(size());
    for_each([&](const Digest& d) { out.push_back(d); });
    return out;
  }

 private:
  static bool is_empty_marker(const Digest& d) {
    static constexpr Digest kZero{};
    return std::memcmp(d.data(), kZero.data(), 32) == 0;
  }
  static std::size_t capacity_for(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 7 < n * 10 + 10) cap *= 2;
    return cap;
  }
  static std::uint64_t hash(const Digest& d) {
    std::uint64_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
  std::size_t find_slot(const Digest& d) const {
    std::size_t mask = slots_.size() - 1;
    std::size_t i = hash(d) & mask;
    while (!is_empty_marker(slots_[i]) && slots_[i] != d) i = (i + 1) & mask;
    return i;
  }
  void rehash(std::size_t capacity) {
    std::vector<Digest> old = std::move(slots_);
    slots_.assign(capacity, Digest{});
    for (const auto& d : old) {
      if (!is_empty_marker(d)) slots_[find_slot(d)] = d;
    }
  }

  std::vector<Digest> slots_;
  std::size_t size_ = 0;
  bool has_zero_ = false;  // the all-zero digest is the empty-slot marker, tracked apart
};

}  // namespace pbs::datastore
