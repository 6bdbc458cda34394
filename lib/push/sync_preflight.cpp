#include "push/sync_preflight.h"

#include "records/encryption_record.h"
#include "records/record_io.h"
#include "records/retention_record.h"
#include "records/sealed_manifests.h"
#include "records/record_keys.h"
#include "records/source_record.h"
#include "remote/bucket_features.h"
#include "remote/key_layout.h"
#include "remote/listing.h"

namespace pbs::push {

using namespace datastore;

void send_start_probes(transfer::PrefetchedReads& requests, const remote::Remote& remote, const SyncOptions& options) {
  requests.prefetch(s3::get_object(remote.bucket, remote.key(remote::kInUseMarker)));
  remote::prefetch_catalog(requests, remote);
  for (auto rel : {records::kSourceKey, records::kEncryptionKey, records::kRetentionKey}) {
    records::prefetch_record(requests, remote, rel);
  }
  if (options.encryption) {
    records::prefetch_record(requests, remote, records::kSealedManifestsKey, records::kMaxSealedManifestsSize);
  }
  if (options.lock) requests.prefetch(s3::get_object_lock_configuration(remote.bucket));
}

Status check_lock_lapse(transfer::RequestInterface& requests, const remote::Remote& remote, const SyncOptions& options,
                        SyncSummary& summary) {
  if (options.lock) return {};
  PBS_ASSIGN(auto record, records::read_retention_record(requests, remote));
  if (!record || record->mode.empty()) return {};
  summary.lock_lapsed = record->mode + " for " + std::to_string(record->days) + " days";
  summary.lock_off = options.lock_off;
  std::string covered = record->covered_until ? ", what complete snapshots needed is locked until " +
                                                     s3::iso8601(record->covered_until)
                                              : "";
  if (options.lock_off) {
    summary.notices.push_back(remote.url() + " was locked (" + summary.lock_lapsed + covered +
                              "); OBJECT_LOCK=off: this run locks nothing and extends no retention");
    return {};
  }
  summary.warnings.push_back(remote.url() + " is locked (" + summary.lock_lapsed + covered +
                             ") but this run has no OBJECT_LOCK: what it writes is not locked and retention is "
                             "no longer extended, so the protection lapses. Set OBJECT_LOCK and OBJECT_LOCK_DAYS "
                             "(or --object-lock) again, or OBJECT_LOCK=off (--object-lock off) to stop on purpose");
  return {};
}

Status preflight(transfer::RequestInterface& requests, const remote::Remote& remote, bool force_in_use) {
  // No HeadBucket: this answer says as much (a missing bucket, refused credentials, another
  // region), and a no-op is one request shorter.
  PBS_ASSIGN(auto in_use, requests.execute(s3::get_object(remote.bucket, remote.key(remote::kInUseMarker))));
  if (in_use.status == 200 && !force_in_use) {
    return Error(Errc::config,
                 remote.url() + " holds PBS's .in-use marker (" + std::string(in_use.body_text().substr(0, 200)) +
                     "): a PBS datastore is attached to it, and its garbage collection would delete "
                     "chunks this tool uploads. Use another prefix, or --force-in-use if that PBS is gone");
  }
  return {};
}

Result<PrefixClaim> claim(const Datastore& store, transfer::RequestInterface& requests, const remote::Remote& remote,
                          const SyncOptions& options, const PutSettings& put, const remote::RemoteCatalog& catalog,
                          SyncSummary& summary) {
  PBS_ASSIGN(records::SourceRead read, records::read_source_record(requests, remote));
  records::SourceRecord self = options.source;
  if (self.host.empty()) self.host = "unnamed host";
  if (self.datastore.empty()) self.datastore = store.name();
  bool has_snapshots = !catalog.snapshots().empty();
  // The server's clock, as in the manifests' Last-Modified; one second on, so that a manifest
  // written in the second of a takeover counts as the previous owner's (kept, the safe side).
  PBS_ASSIGN(PrefixClaim c, claim_prefix(read.recorded, self, options.take_over, has_snapshots, read.server_time + 1,
                                         remote.url()));
  if (c.write && !options.dry_run) PBS_TRY(records::write_source_record(requests, remote, c.owner, put.options(false, false)));
  if (!c.notice.empty()) summary.notices.push_back((options.dry_run ? "dry run: " : "") + c.notice);
  return c;
}

Result<std::optional<encryption::PrefixKey>> check_encryption(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                  const SyncOptions& options, const remote::RemoteCatalog& catalog,
                                                  std::int64_t now) {
  if (!options.encryption) {
    PBS_ASSIGN(auto record, records::read_encryption_record(requests, remote));
    if (record) {
      return Error(Errc::config, remote.url() + " is encrypted (key " + crypto::short_fingerprint(record->fingerprint) +
                                     "): a plain sync would put plain snapshots beside encrypted ones; sync it with "
                                     "--encrypt --passphrase-file FILE, or ENCRYPTION=true in its STORAGE entry");
    }
    return std::optional<encryption::PrefixKey>{};
  }
  PBS_ASSIGN(encryption::PrefixKey key, encryption::open_prefix_key(requests, remote, *options.encryption, true, now));
  if (!key.record.empty() && !catalog.snapshots().empty()) {
    return Error(Errc::config, remote.url() + " holds snapshots but is not encrypted (it has no " +
                                   std::string(records::kEncryptionKey) + "): an encrypted sync would put encrypted "
                                   "snapshots beside plain ones; use another prefix");
  }
  return std::optional(std::move(key));
}

Status store_key_record(transfer::RequestInterface& requests, const remote::Remote& remote, const SyncOptions& options,
                        const PutSettings& put, const encryption::PrefixKey& key) {
  bool versioned = options.lock.has_value();
  if (!versioned) {
    PBS_ASSIGN(versioned, remote::bucket_versioned(requests, remote));
  }
  return records::store_new_encryption_record(requests, remote, key.record, key.key->fingerprint(), versioned,
                                              put.options(false, true));
}

}  // namespace pbs::push
