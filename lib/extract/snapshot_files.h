#pragma once
// One remote snapshot opened for reading its archives: the group listed (not the whole bucket),
// the snapshot picked (archive_pick.h), its manifest fetched at the version the listing names and
// checked to be this snapshot's. `extract` reads an archive from it; `list --snapshot` shows it.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"

namespace pbs::extract {

struct SnapshotFiles {
  remote::RemoteCatalog catalog;  // the group's part of the bucket
  const remote::RemoteSnapshot* snapshot = nullptr;
  datastore::Manifest manifest;
  std::string name() const;  // "ns/a:vm/100/2026-..." (the namespace only when not the root)
};

Result<std::unique_ptr<SnapshotFiles>> open_snapshot(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                     const datastore::Namespace& ns, std::string_view spec);

// One of its files, at the listed version, checked against its manifest entry.
Result<std::vector<std::uint8_t>> fetch_checked(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                const SnapshotFiles& snap, const datastore::ManifestFile& entry);

}  // namespace pbs::extract
