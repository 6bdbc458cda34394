#pragma once
// The local side of a sync (push): the namespaces, groups and finished snapshots in scope (anchor,
// depth, group filters, --transfer-last, --encrypted-only, --verified-only), each snapshot with
// its listed files and parsed manifest.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "datastore/datastore.h"
#include "datastore/group_filter.h"
#include "datastore/manifest.h"

namespace pbs::datastore {

struct LocalSnapshot {
  SnapshotRef ref;
  std::vector<std::string> files;  // every listed file, manifest included
  Manifest manifest;
  bool is_protected = false;
};

struct LocalGroup {
  GroupRef ref;
  bool has_owner = false;
  bool has_notes = false;
  std::vector<LocalSnapshot> snapshots;  // selected, oldest first
  std::set<std::int64_t> all_times;      // every snapshot directory, selected or not
};

struct ScanOptions : NamespaceScope {
  std::vector<GroupFilter> filters;
  std::optional<unsigned> transfer_last;
  bool encrypted_only = false;
  bool verified_only = false;
};

// A snapshot the scan found but cannot offer (its manifest does not read), and why.
struct SnapshotProblem {
  std::string snapshot;  // its directory relative to the datastore
  std::string message;
};

struct LocalScan {
  std::vector<Namespace> namespaces;
  std::vector<LocalGroup> groups;  // groups selected by the filters
  std::size_t unfinished = 0;
  std::size_t filtered = 0;        // finished snapshots left out by the options
  std::vector<SnapshotProblem> problems;  // unreadable manifests: those snapshots fail
};

Result<LocalScan> scan_local(const Datastore& store, const ScanOptions& options);

// An index file of a local snapshot that could not be read: its name and why.
struct IndexFault {
  std::string file;
  Error error;
};
// Hands the digests of every index file the snapshot's manifest lists to `each`, in manifest
// order; stops at the first that cannot be read and returns it.
std::optional<IndexFault> for_each_index(const Datastore& store, const LocalSnapshot& snapshot,
                                         const std::function<void(const std::vector<Digest>&)>& each);

}  // namespace pbs::datastore
