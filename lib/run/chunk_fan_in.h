#pragma once
// Each chunk is transferred once however many snapshots of a run need it: the first snapshot to
// ask starts the transfer, later ones wait on it, and all of them hear the outcome. A chunk that
// failed (damaged, unreadable, refused) is remembered with its reason, so the snapshots that ask
// for it afterwards fail at once instead of trying again.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "datastore/digest_set.h"

namespace pbs::run {

class ChunkFanIn {
 public:
  bool done(const Digest& d) const { return done_.contains(d); }
  // The reason a chunk failed, or nullptr.
  const std::string* failed(const Digest& d) const {
    auto it = failed_.find(d);
    return it == failed_.end() ? nullptr : &it->second;
  }
  void mark_done(const Digest& d) { done_.insert(d); }
  void mark_failed(const Digest& d, std::string reason) { failed_.emplace(d, std::move(reason)); }
  // What was done, handed to the next pass of the same run (which then neither fetches nor counts it).
  datastore::DigestSet take_done() { return std::move(done_); }
  void adopt_done(datastore::DigestSet done) { done_ = std::move(done); }

  // Adds `task` to the waiters of `d`; true when it is the first, and the caller starts the transfer.
  bool wait(const Digest& d, std::size_t task) {
    auto [it, first] = waiting_.try_emplace(d);
    it->second.push_back(task);
    return first;
  }
  // The tasks waiting on `d`, in the order they asked; `d` is no longer in flight.
  std::vector<std::size_t> take_waiters(const Digest& d) {
    auto node = waiting_.extract(d);
    return node.empty() ? std::vector<std::size_t>{} : std::move(node.mapped());
  }

 private:
  std::unordered_map<Digest, std::vector<std::size_t>, datastore::DigestHash> waiting_;
  std::unordered_map<Digest, std::string, datastore::DigestHash> failed_;
  datastore::DigestSet done_;
};

}  // namespace pbs::run
