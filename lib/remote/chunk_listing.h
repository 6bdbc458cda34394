#pragma once
// The chunk objects under the prefix, listed once (16 listings in parallel, listing.h) and held as
// sorted digests with a byte of flags each: 33 bytes a chunk and no table slack, so that a million
// chunks cost tens of megabytes. At a point in time each chunk's version id is kept too.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::remote {

class ChunkListing {
 public:
  // Where a listed chunk is held.
  struct Slot {
    std::uint8_t part = 0;
    std::uint32_t index = 0;
  };

  // Only keys that are chunk names count (.bad copies and strays are left out). `versions`: keep
  // each chunk's version id (meaningful at a point in time).
  static Result<ChunkListing> list(transfer::RequestInterface& requests, const Remote& remote, bool versions);

  std::size_t size() const;
  std::optional<Slot> find(const Digest& d) const;
  const Digest& digest(Slot s) const { return parts_[s.part].digests[s.index]; }
  std::uint8_t& flags(Slot s) { return parts_[s.part].flags[s.index]; }
  std::uint8_t flags(Slot s) const { return parts_[s.part].flags[s.index]; }
  // "" unless listed with versions.
  const std::string& version(Slot s) const;
  // Every slot whose flags have all of `mask`.
  std::vector<Slot> with_flags(std::uint8_t mask) const;
  std::size_t count_with_flags(std::uint8_t mask) const;

 private:
  struct Part {
    std::vector<Digest> digests;
    std::vector<std::uint8_t> flags;
    std::vector<std::string> versions;
  };
  void sort_part(Part& part);

  std::array<Part, 16> parts_;
};

}  // namespace pbs::remote
