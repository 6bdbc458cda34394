#pragma once
// Listing the target: every object under a part of the prefix (split into 16 listings run in
// parallel for `.chunks/`), and the `.cnt/` tree read into a catalog with one listing.

#include <functional>
#include <string>
#include <string_view>

#include "datastore/digest_map.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "s3/xml.h"
#include "transfer/prefetched_reads.h"
#include "transfer/request_interface.h"

namespace pbs::remote {

// Calls `each` for every object under `rel_prefix` (relative to the target prefix) with its key
// relative to the target prefix. `split_hex`: 16 listings, one per next hex digit, in parallel.
// At a point in time (Remote::as_of) the objects are the versions current then, each with its
// version id.
Status list_remote(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                   bool split_hex, const std::function<void(std::string_view rel, const s3::ObjectInfo&)>& each);

// Every version and delete marker under `rel_prefix` (as of now), newest first within a key; a
// key's versions all come in one of the listings, which `listing` (0-15, or 0) tells apart.
Status list_remote_versions(
    transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix, bool split_hex,
    const std::function<void(std::size_t listing, std::string_view rel, const s3::ObjectInfo&)>& each);

// One listing of the remote `.cnt/` tree.
Result<RemoteCatalog> load_catalog(transfer::RequestInterface& requests, const Remote& remote);
// Sends the catalog's first page now; load_catalog() through the same `requests` takes it.
void prefetch_catalog(transfer::PrefetchedReads& requests, const Remote& remote);
// The same of one group's part of it: its snapshots and group files only.
Result<RemoteCatalog> load_group_catalog(transfer::RequestInterface& requests, const Remote& remote,
                                         const datastore::GroupRef& group);

// A GET of the object at `rel` (relative to the prefix), of `version_id` when one is given.
s3::Request remote_get(const Remote& remote, std::string_view rel, const std::string& version_id = "");

}  // namespace pbs::remote
