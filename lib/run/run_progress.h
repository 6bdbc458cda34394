#pragma once
// Where a sync or restore stands, for the progress line: handed to a callback between events.

#include <cstddef>
#include <cstdint>

namespace pbs::run {

struct RunProgress {
  enum class Direction { up, down };  // sync sends, restore fetches
  Direction direction = Direction::up;
  std::size_t snapshots_done = 0;
  std::size_t snapshots_total = 0;
  std::size_t chunks_moved = 0;    // uploaded, or fetched
  std::size_t chunks_present = 0;  // already on the other side
  std::uint64_t bytes = 0;         // sent, or received
  std::uint64_t bytes_total = 0;   // what the run expects to move in all; 0: not known
};

}  // namespace pbs::run
