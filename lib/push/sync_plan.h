#pragma once
// What a sync has to do, from the local scan and one listing of the remote `.cnt/` tree:
// snapshots to upload (missing or incomplete remotely), complete ones whose mutable files changed
// (manifest, .protected) or, in full mode, that need repair, group owner/notes, namespace
// markers, and remote snapshots gone locally (--remove-vanished). Nothing is sent here.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datastore/datastore.h"
#include "datastore/local_scan.h"
#include "remote/catalog.h"
#include "run/run_outcome.h"

namespace pbs::push {

struct Upload {
  std::string key_rel;  // relative to the target prefix
  std::string local_path;
  std::uint64_t size = 0;
};

struct SnapshotWork {
  enum class Kind { upload, update, repair };
  const datastore::LocalSnapshot* snapshot = nullptr;
  Kind kind = Kind::upload;
  std::vector<Upload> files;         // before the manifest
  std::vector<std::string> deletes;  // keys that must go (a .protected gone locally)
  bool manifest = false;             // upload index.json.blob, after everything else
  std::uint64_t manifest_size = 0;   // its local size, for a dry run's estimate
  bool chunks = false;               // its chunks must be checked (upload, repair)
};

struct VanishedSnapshot {
  datastore::SnapshotRef ref;
  std::vector<std::string> keys;  // manifest first
};

struct Plan {
  std::vector<Upload> group_files;  // owner/notes, before any manifest
  std::vector<std::string> group_deletes;
  std::vector<Upload> markers;      // namespace markers
  std::vector<SnapshotWork> work;   // oldest first
  std::vector<const datastore::LocalSnapshot*> proven;  // complete remotely: their chunks are stored
  std::size_t unchanged = 0;
  std::vector<VanishedSnapshot> vanished;  // to delete, within --max-delete
  std::size_t not_removed = 0;             // vanished beyond --max-delete
  std::size_t foreign_kept = 0;            // gone locally, but written by another source: kept
  // Why no vanished snapshot is removed although some are gone locally: the deletion safety net
  // (kMaxVanishedShare) held, and no --max-delete said how many may go. Empty: not refused.
  std::string deletion_refused;
  std::vector<run::ObjectError> failed;         // snapshots that cannot be completed (a listed file missing)
};

// Without an explicit --max-delete, a run removes vanished snapshots only while they are at most
// this share of the remote snapshots in scope, and never all of them: an empty or re-initialised
// datastore, a wrong path or a --remove-vanished left in a timer's options must not empty the
// offsite copy unattended.
inline constexpr double kMaxVanishedShare = 0.5;

struct PlanOptions {
  bool full = false;
  bool remove_vanished = false;
  std::optional<std::size_t> max_delete;
  datastore::ScanOptions scope;
  // --remove-vanished removes only snapshots whose manifest was written at or after this (server
  // time): since this source owns the prefix (prefix_owner.h).
  std::int64_t owned_since = 0;
  // Where a group left out by the filters is looked for (an encrypted view holds only those in
  // scope): the datastore planned from when null.
  const datastore::Datastore* origin = nullptr;
};

Result<Plan> make_plan(const datastore::Datastore& store, const datastore::LocalScan& scan,
                       const remote::RemoteCatalog& remote, const PlanOptions& options);

// What a dry run reports: objects and bytes that would be sent, and about how many requests.
struct PlanEstimate {
  std::size_t objects = 0;
  std::uint64_t bytes = 0;
  std::size_t requests = 0;
  PlanEstimate& operator+=(const PlanEstimate& o) {
    objects += o.objects;
    bytes += o.bytes;
    requests += o.requests;
    return *this;
  }
};
// The plan's files, markers and deletions (chunks: see chunk_presence.h).
PlanEstimate estimate_plan(const Plan& plan);

}  // namespace pbs::push
