#pragma once
// What a gc did, as plain data: the report module prints it (text, JSON).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bill/price_table.h"
#include "run/run_outcome.h"
#include "transfer/counters.h"

namespace pbs::gc {

struct GcSummary {
  std::string target;
  bool dry_run = false;
  std::size_t snapshots_referencing = 0;  // complete remote snapshots read
  std::size_t chunks_listed = 0;
  std::size_t chunks_referenced = 0;
  std::size_t chunks_deleted = 0;         // (dry run: would be)
  std::uint64_t bytes_freed = 0;
  std::size_t chunks_young = 0;           // unreferenced but inside the grace period: kept
  std::size_t chunks_min_storage = 0;     // unreferenced, past the grace, inside their class's minimum: kept
  std::uint64_t bytes_min_storage = 0;
  // Of those, by class: bytes x days of their minimum still to run, what deleting them now would bill.
  std::map<std::string, double> byte_days_min_storage;
  std::optional<bill::PriceTable> prices;  // the target's
  std::size_t incomplete_removed = 0;     // snapshots without manifest, older than the grace
  std::size_t incomplete_kept = 0;
  std::size_t objects_deleted = 0;
  // A versioned bucket (gc_versions.h): versions are deleted, not keys.
  bool versioned = false;
  std::size_t chunks_hidden = 0;        // referenced, but hidden by a delete marker: left whole
  std::size_t versions_doomed = 0;      // versions and markers to delete (dry run: would be)
  std::size_t versions_redundant = 0;   // noncurrent copies of referenced chunks
  std::size_t removed_keys_purged = 0;  // `.cnt/` keys hidden by an old delete marker
  std::size_t versions_locked = 0;      // refused: still under retention
  std::int64_t locked_until = 0;        // when the last of those runs out, at the latest (0: unknown)
  bool interrupted = false;  // stopped between batches on request (SIGINT/SIGTERM)
  transfer::Counters counters;
  double duration = 0;
  std::vector<run::ObjectError> errors;
  std::vector<std::string> warnings;
};

}  // namespace pbs::gc
