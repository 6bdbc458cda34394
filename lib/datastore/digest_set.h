#pragma once
// A set of chunk digests: a DigestMap (digest_map.h) without values, 32 bytes a slot.

#include <vector>

#include "datastore/digest_map.h"

namespace pbs::datastore {

class DigestSet {
 public:
  explicit DigestSet(std::size_t expected = 0) : map_(expected) {}

  // True when the digest was not in the set yet.
  bool insert(const Digest& d) { return map_.emplace(d).second; }
  bool contains(const Digest& d) const { return map_.contains(d); }
  std::size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

  template <class F>
  void for_each(F&& f) const {
    map_.for_each([&](const Digest& d, Nothing) { f(d); });
  }

  std::vector<Digest> to_vector() const {
    std::vector<Digest> out;
    out.reserve(size());
    for_each([&](const Digest& d) { out.push_back(d); });
    return out;
  }

 private:
  struct Nothing {};
  DigestMap<Nothing> map_;
};

}  // namespace pbs::datastore
