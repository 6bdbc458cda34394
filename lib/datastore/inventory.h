#pragma once
// What a datastore holds, for `list`: namespaces, groups, finished snapshots with their sizes and
// flags, and the unique chunks they reference (count, bytes on disk, dedup ratio).

#include <optional>
#include <string>
#include <vector>

#include "datastore/datastore.h"

namespace pbs::datastore {

struct SnapshotSummary {
  SnapshotRef ref;
  std::vector<std::string> files;  // as listed in the manifest
  std::uint64_t logical_size = 0;  // sum of the logical sizes of its indexes
  std::uint64_t chunk_refs = 0;    // index entries, duplicates included
  bool is_protected = false;
  bool encrypted = false;
  std::optional<std::string> verify_state;
};

struct GroupSummary {
  GroupRef ref;
  std::optional<std::string> owner;
  bool has_notes = false;
  std::vector<SnapshotSummary> snapshots;  // finished only, oldest first
  std::size_t unfinished = 0;
};

struct Inventory {
  std::string root;
  std::vector<Namespace> namespaces;
  std::vector<GroupSummary> groups;
  std::size_t snapshots = 0;
  std::size_t unfinished_snapshots = 0;
  std::uint64_t logical_bytes = 0;
  std::uint64_t unique_chunks = 0;
  std::uint64_t unique_chunk_bytes = 0;  // encoded, as stored on disk
  std::uint64_t missing_chunks = 0;
  std::vector<std::string> problems;  // unreadable manifests or indexes (named), listed anyway

  double dedup_ratio() const {
    return unique_chunk_bytes ? double(logical_bytes) / double(unique_chunk_bytes) : 0.0;
  }
};

// The namespaces to list.
using InventoryOptions = NamespaceScope;

Result<Inventory> build_inventory(const Datastore& store, const InventoryOptions& options = {});

}  // namespace pbs::datastore
