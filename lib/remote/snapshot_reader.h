#pragma once
// The one way this tool reads remote snapshots: each one's manifest, then the files the caller
// wants from it (its indexes, mostly), streamed to callbacks and forgotten. One concurrency rule
// for every caller (gc, versioned gc, the retention pass, verify, list, the encrypted view):
// requests are kept submitted up to the engine's submit depth, a started snapshot's files go
// before a new manifest, so memory follows the submit depth, never the number of snapshots.
//
// A problem of one snapshot (a manifest gone or garbled, a file missing or too large) goes to the
// callback, which decides what it means; an error about the target itself (refused, unreachable:
// util/error.h concerns_target) stops the read, and read() returns it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::remote {

struct ManifestRead {
  datastore::Manifest manifest;
  std::vector<std::uint8_t> blob;  // as stored (empty when the caller handed the manifest in)
};

struct SnapshotToRead {
  const RemoteSnapshot* snapshot = nullptr;
  const datastore::Manifest* known = nullptr;  // its manifest already in hand: not fetched again
};

// The manifest of snapshot `i`, or why it cannot be read (Errc::remote "KEY: vanished",
// Errc::corrupt "KEY: ..."); returns the names of its files to fetch next (none: {}).
using ManifestCallback = std::function<std::vector<std::string>(std::size_t i, Result<ManifestRead> manifest)>;
// One of those files, or why not (Errc::remote "KEY: missing", or the transfer's own error).
using FileCallback =
    std::function<void(std::size_t i, const std::string& name, Result<std::vector<std::uint8_t>> bytes)>;

Status read_snapshots(transfer::RequestInterface& requests, const Remote& remote,
                      const std::vector<SnapshotToRead>& snapshots, const ManifestCallback& on_manifest,
                      const FileCallback& on_file);

// The complete snapshots of a catalog, in its order, for read_snapshots.
std::vector<SnapshotToRead> complete_snapshots(const RemoteCatalog& catalog);
// The index files (.fidx, .didx) a manifest lists, in its order.
std::vector<std::string> index_files(const datastore::Manifest& manifest);

}  // namespace pbs::remote
