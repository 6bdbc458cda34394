#pragma once
// Test datastore generator: writes realistic PBS datastores from a seed (VM disks as fixed
// indexes with runs of the all-zero chunk, containers and hosts as dynamic indexes with split
// archives and catalogs, config and log blobs, namespaces, successive snapshots sharing most
// chunks, chunks shared between groups, owners, notes, a protected snapshot, an unfinished one,
// an encrypted group and the stray files a mirror must skip), and mutates them for tests.
// It keeps its own tally of what it wrote so tests can compare `list` with it.

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace pbs::testgen {

struct GenConfig {
  std::uint64_t seed = 1;
  unsigned vms = 2;
  unsigned cts = 2;
  unsigned hosts = 1;
  unsigned snapshots = 3;            // finished snapshots per group
  std::uint64_t fixed_chunk_size = 64 * 1024;  // power of two; PBS uses 4 MiB
  unsigned disk_chunks = 32;         // chunks per VM disk
  std::uint64_t dynamic_avg_chunk = 32 * 1024;
  unsigned archive_chunks = 24;      // payload chunks per container/host archive
  double change = 0.03;              // fraction of chunks changed between snapshots
  double zero_fraction = 0.25;       // fraction of VM disk chunks that are all zeros
  double shared_fraction = 0.25;     // fraction of VM disk chunks identical across VMs
  bool namespaces = true;            // spread groups over namespaces, add an empty one
  bool encrypted_group = true;
  bool extras = true;                // protected + unfinished snapshot, strays
  // false: indexes and manifests only, digests made from the seeds, no chunk file written (a
  // planning benchmark of ten million chunks, more files than tmpfs holds).
  bool chunk_files = true;
  std::int64_t base_time = 1793498400;  // 2026-11-01T02:00:00Z
};

// What the generator wrote, counted by the generator itself.
struct GenStats {
  std::uint64_t namespaces = 0;  // including the root
  std::uint64_t groups = 0;
  std::uint64_t snapshots = 0;   // finished
  std::uint64_t unfinished_snapshots = 0;
  std::uint64_t unique_chunks = 0;       // referenced by finished snapshots
  std::uint64_t unique_chunk_bytes = 0;  // their encoded size on disk
  std::uint64_t logical_bytes = 0;       // sum of index sizes over finished snapshots
  std::uint64_t chunk_refs = 0;
  std::string to_json() const;
};

Result<GenStats> generate(const std::string& root, const GenConfig& config);

// Mutations. Each returns the relative paths it touched, so tests can check they are named.
struct MutateResult {
  std::vector<std::string> paths;
};
// A new snapshot in every group (time = newest + 1 day) with `change` of its chunks replaced.
Result<MutateResult> add_snapshots(const std::string& root, double change, std::uint64_t seed);
// Removes all but the newest `keep` snapshots of every group (protected ones stay), as prune
// does: snapshot directories go, chunks stay until garbage collection.
Result<MutateResult> prune(const std::string& root, unsigned keep);
enum class ChunkDamage { flip_byte, bad_digest, remove, truncate };
// Damages one chunk referenced by a finished snapshot, chosen by `seed`.
Result<MutateResult> corrupt_chunk(const std::string& root, ChunkDamage damage, std::uint64_t seed);
// Truncates one index file of a finished snapshot, chosen by `seed`.
Result<MutateResult> truncate_index(const std::string& root, std::uint64_t seed);

}  // namespace pbs::testgen
