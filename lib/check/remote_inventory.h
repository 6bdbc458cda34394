#pragma once
// `pbs-s3sync list TARGET`: the remote namespaces, groups and snapshots in the same shape as the
// local `list` (an Inventory): complete snapshots with their manifest's data (files, logical size,
// encryption, verify state), remote snapshots without a manifest counted as unfinished, and the
// chunk objects under the prefix (count and bytes).

#include "datastore/inventory.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"

namespace pbs::check {

Result<datastore::Inventory> remote_inventory(transfer::RequestInterface& requests, const remote::Remote& remote,
                                              const datastore::InventoryOptions& options);

}  // namespace pbs::check
