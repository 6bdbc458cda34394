#pragma once
// The chunk objects under the prefix, listed once (16 listings in parallel, listing.h) and held as
// sorted digests with a byte of flags each: 33 bytes a chunk and no table slack, so that a million
// chunks cost tens of megabytes. Each chunk's size (full mode compares it with the local file) and
// version id (at a point in time) are kept when asked for.

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

  struct Keep {
    bool versions = false;  // each chunk's version id (meaningful at a point in time)
    bool sizes = false;     // each chunk's size
    bool classes = false;   // whether each chunk is in an archive class (unreadable until restored)
  };
  // Only keys that are chunk names count (.bad copies and strays are left out).
  static Result<ChunkListing> list(transfer::RequestInterface& requests, const Remote& remote, Keep keep);

  std::size_t size() const;
  std::optional<Slot> find(const Digest& d) const;
  const Digest& digest(Slot s) const { return parts_[s.part].digests[s.index]; }
  std::uint8_t& flags(Slot s) { return parts_[s.part].flags[s.index]; }
  std::uint8_t flags(Slot s) const { return parts_[s.part].flags[s.index]; }
  // "" unless listed with versions.
  const std::string& version(Slot s) const;
  // 0 unless listed with sizes.
  std::uint64_t size(Slot s) const;
  // False unless listed with classes.
  bool archived(Slot s) const;
  // Every slot whose flags have all of `mask`.
  std::vector<Slot> with_flags(std::uint8_t mask) const;
  std::size_t count_with_flags(std::uint8_t mask) const;

 private:
  struct Part {
    std::vector<Digest> digests;
    std::vector<std::uint8_t> flags;
    std::vector<std::string> versions;
    std::vector<std::uint64_t> sizes;
    std::vector<bool> archived;
  };
  void sort_part(Part& part);

  std::array<Part, 16> parts_;
};

}  // namespace pbs::remote
