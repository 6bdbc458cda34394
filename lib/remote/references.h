#pragma once
// What the complete remote snapshots reference: every chunk named by an index of a snapshot whose
// manifest exists, read from the remote manifests and indexes themselves (a snapshot may be gone
// locally). gc deletes what is not in it; Object Lock keeps locked what is.

#include <cstddef>
#include <string>
#include <vector>

#include "datastore/digest_set.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "remote/snapshot_reader.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::remote {

// A manifest or index that is gone or does not parse is an error (gc: deleting on incomplete
// knowledge could remove a referenced chunk), or with `skipped` a line there and the rest goes on
// (locking: one broken snapshot must not leave every other unlocked). `snapshots` gets how many
// complete snapshots were read.
Status collect_referenced(transfer::RequestInterface& requests, const Remote& remote, const RemoteCatalog& catalog,
                          datastore::DigestSet& out, std::size_t& snapshots,
                          std::vector<std::string>* skipped = nullptr);
// The same of some snapshots only (a restore's selection, to say how many chunks are coming).
Status collect_referenced(transfer::RequestInterface& requests, const Remote& remote,
                          const std::vector<SnapshotToRead>& snapshots, datastore::DigestSet& out,
                          std::vector<std::string>* skipped = nullptr);

}  // namespace pbs::remote
