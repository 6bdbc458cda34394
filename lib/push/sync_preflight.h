#pragma once
// What a sync checks and records before it writes anything to the target: the bucket answers and
// the prefix is not a live PBS datastore; the prefix is this source's (prefix_claim.h), recorded
// first; a prefix is plain or encrypted, never both, and a new encrypted prefix gets its key
// record before anything else.

#include <cstdint>
#include <optional>

#include "datastore/datastore.h"
#include "encryption/prefix_key.h"
#include "push/object_puts.h"
#include "push/prefix_claim.h"
#include "push/sync_job.h"
#include "push/sync_summary.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "transfer/prefetched_reads.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::push {

// The questions a run's start asks (preflight, the catalog, the records) sent at once: the steps
// below take their answers from `requests` instead of one round trip each.
void send_start_probes(transfer::PrefetchedReads& requests, const remote::Remote& remote, const SyncOptions& options);

Status preflight(transfer::RequestInterface& requests, const remote::Remote& remote, bool force_in_use);

// A run without OBJECT_LOCK into a prefix whose retention record says it is locked: protection
// would lapse quietly (retention no longer extended, new objects unlocked). Warned about unless
// OBJECT_LOCK=off says it is meant.
Status check_lock_lapse(transfer::RequestInterface& requests, const remote::Remote& remote, const SyncOptions& options,
                        SyncSummary& summary);

// Reads the source record and decides; writes it when new or changed (not in a dry run).
Result<PrefixClaim> claim(const datastore::Datastore& store, transfer::RequestInterface& requests,
                          const remote::Remote& remote, const SyncOptions& options, const PutSettings& put,
                          const remote::RemoteCatalog& catalog, SyncSummary& summary);

// The prefix's key when the run encrypts (a new prefix: made, with its record to write); a plain
// run into an encrypted prefix, or an encrypted one into a plain prefix with snapshots, refused.
Result<std::optional<encryption::PrefixKey>> check_encryption(transfer::RequestInterface& requests,
                                                              const remote::Remote& remote, const SyncOptions& options,
                                                              const remote::RemoteCatalog& catalog, std::int64_t now);

// A new prefix's key record (records/encryption_record.h: first writer wins).
Status store_key_record(transfer::RequestInterface& requests, const remote::Remote& remote, const SyncOptions& options,
                        const PutSettings& put, const encryption::PrefixKey& key);

}  // namespace pbs::push
