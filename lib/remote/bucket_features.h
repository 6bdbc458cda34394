#pragma once
// What the bucket itself is, asked of the server: versioned or not, Object Lock or not. How a run
// writes depends on it (versioned buckets never rely on If-None-Match: radosgw stores a new version
// there instead of answering 412).

#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::remote {

// The bucket's Object Lock configuration; a bucket without it is Errc::config, with how to make
// one.
Status check_bucket_lock(transfer::RequestInterface& requests, const Remote& remote);
// Versioning enabled or suspended (a suspended bucket keeps its old versions). A bucket that may
// not be asked (403) or a provider without versioning (405, 501) counts as unversioned.
Result<bool> bucket_versioned(transfer::RequestInterface& requests, const Remote& remote);

}  // namespace pbs::remote
