#pragma once
// A restore from a prefix whose chunks are in an archive class (GLACIER, DEEP_ARCHIVE, moved there
// by STORAGE_CLASS or a lifecycle rule): exactly the chunks the chosen snapshots need, missing on
// disk and not readable yet, are asked for (RestoreObject), and the restore waits for them or, with
// --request-only, ends so that a later run fetches them. Found before the first fetch when the
// chunks' classes are listed (look_first), or by the first pass's reads (InvalidObjectState).

#include <functional>
#include <string>
#include <vector>

#include "datastore/digest_set.h"
#include "remote/chunk_listing.h"
#include "remote/remote.h"
#include "restore/restore_plan.h"
#include "restore/restore_summary.h"
#include "thaw/thaw_request.h"
#include "transfer/request_interface.h"

namespace pbs::restore {

using thaw::ThawChoice;

// The archived chunks (by the listing's classes) that the plan's snapshots reference and
// `on_disk` does not have.
Result<std::vector<thaw::ArchivedObject>> archived_needed(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                          const RestorePlan& plan, const remote::ChunkListing& listing,
                                                          const std::function<bool(const Digest&)>& on_disk);
// The chunks the reads met archived, as objects to ask for.
std::vector<thaw::ArchivedObject> archived_objects(const remote::Remote& remote, const std::vector<Digest>& chunks,
                                                   const remote::ChunkListing* versions);

// Asks for `objects` and, unless request_only (or `dry_run`: nothing is asked), waits until they
// are readable; what it did goes to summary.thaw.
Status make_readable(transfer::RequestInterface& requests, const remote::Remote& remote,
                     std::vector<thaw::ArchivedObject> objects, const thaw::ThawChoice& choice, bool dry_run,
                     const std::function<bool()>& interrupted, RestoreSummary& summary);

}  // namespace pbs::restore
