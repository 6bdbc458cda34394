#include "push/sync_job.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "encryption/encrypted_view.h"
#include "push/chunk_presence.h"
#include "push/prefix_claim.h"
#include "push/sync_plan.h"
#include "records/record_keys.h"
#include "remote/bucket_features.h"
#include "remote/catalog.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "retention/retention_pass.h"
#include "s3/http_date.h"
#include "transfer/object_store.h"

namespace pbs::push {

using namespace datastore;

namespace {

// The bucket answers and the prefix is not a live PBS datastore.
Status preflight(transfer::RequestInterface& requests, const remote::Remote& remote, bool force_in_use) {
  transfer::ObjectStore store(requests, remote.bucket);
  PBS_TRY(store.head_bucket());
  PBS_ASSIGN(auto in_use, requests.execute(s3::get_object(remote.bucket, remote.key(remote::kInUseMarker))));
  if (in_use.status == 200 && !force_in_use) {
    return Error(Errc::config,
                 remote.url() + " holds PBS's .in-use marker (" + std::string(in_use.body_text().substr(0, 200)) +
                     "): a PBS datastore is attached to it, and its garbage collection would delete "
                     "chunks this tool uploads. Use another prefix, or --force-in-use if that PBS is gone");
  }
  return {};
}

// The prefix is this source's (prefix_claim.h): recorded first, before any other write.
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

void record_estimate(SyncSummary& summary, const Plan& plan, const PlanEstimate& chunks) {
  PlanEstimate e = estimate_plan(plan);
  e += chunks;
  summary.planned_objects = e.objects;
  summary.planned_bytes = e.bytes;
  summary.planned_requests = e.requests;
  summary.snapshots_removed = 0;
  summary.snapshots_not_removed = plan.not_removed;
  for (const auto& w : plan.work) {
    (w.kind == SnapshotWork::Kind::upload ? summary.snapshots_uploaded : summary.snapshots_updated)++;
  }
  summary.notices.push_back("dry run: " + std::to_string(plan.vanished.size()) +
                            " vanished snapshot(s) would be removed");
}

// Object Lock and versioning: what the bucket is decides how chunks are written. A locked run
// needs a locked bucket; an unlocked run into a versioned bucket is asked about only when it has
// chunks to send (a no-op night stays a handful of requests).
Status bucket_mode(transfer::RequestInterface& requests, const remote::Remote& remote, const SyncOptions& options,
                   const Plan& plan, UploadOptions& upload, SyncSummary& summary) {
  bool chunks = std::any_of(plan.work.begin(), plan.work.end(), [](const SnapshotWork& w) { return w.chunks; });
  if (options.lock) {
    summary.versioned = true;
  } else if (chunks && upload.put.if_none_match) {
    PBS_ASSIGN(summary.versioned, remote::bucket_versioned(requests, remote));
  }
  // radosgw stores a new version there instead of answering 412.
  if (summary.versioned) upload.put.if_none_match = false;
  return {};
}

void record_retention(SyncSummary& summary, const retention::RetentionReport& r) {
  summary.retention_pass = r.pass;
  summary.retention_extended = r.objects;
  summary.retention_failures = r.failures + r.missing;
  summary.retention_covered_until = r.covered_until;
  if (r.pass) {
    summary.notices.push_back(std::string(summary.dry_run ? "dry run: " : "") + "retention extended for " +
                              std::to_string(r.objects) + " object(s) of complete snapshots: " + r.reason);
  }
  for (const auto& e : r.errors) summary.errors.push_back({"", "retention: " + e});
  for (const auto& u : r.unreadable) summary.errors.push_back({"", "retention: " + u});
  if (r.failures + r.missing > r.errors.size()) {
    summary.errors.push_back({"", "retention not extended for " + std::to_string(r.failures + r.missing - r.errors.size()) +
                                      " more object(s)" + (r.failures ? "; the next run tries again" : "")});
  }
}

// A prefix is plain or encrypted (prefix_key.h): decided before anything is written.
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

// A new prefix's key record (records/encryption_record.h: first writer wins).
Status store_key_record(transfer::RequestInterface& requests, const remote::Remote& remote, const PutSettings& put,
                        const encryption::PrefixKey& key) {
  return records::store_new_encryption_record(requests, remote, key.record, key.key->fingerprint(),
                                              put.options(false, true));
}

}  // namespace

Result<SyncSummary> run_sync(const Datastore& store, transfer::RequestInterface& requests, const remote::Remote& remote,
                             const SyncOptions& options, SyncSummary summary) {
  auto t0 = std::chrono::steady_clock::now();
  bool full = options.mode == SyncMode::full;
  summary.mode = full ? "full" : "incremental";
  summary.dry_run = options.dry_run;
  PBS_TRY(preflight(requests, remote, options.force_in_use));
  UploadOptions upload = options.upload;
  std::int64_t start = requests.now_epoch();
  if (options.lock) {
    PBS_TRY(remote::check_bucket_lock(requests, remote));
    upload.put.retention = s3::Retention{options.lock->mode, start + options.lock->period()};
    summary.lock_mode = options.lock->mode;
    summary.lock_days = options.lock->days;
    summary.lock_until = upload.put.retention->until;
    if (auto w = retention::lock_policy_warning(*options.lock); !w.empty()) summary.warnings.push_back(w);
  }

  PBS_ASSIGN(datastore::LocalScan scan, datastore::scan_local(store, options.scope));
  summary.snapshots_unfinished = scan.unfinished;
  for (const auto& g : scan.groups) summary.snapshots_in_scope += g.snapshots.size();
  for (const auto& p : scan.problems) {
    ++summary.snapshots_failed;
    summary.errors.push_back({p.snapshot, "not synced: " + p.message});
  }

  PBS_ASSIGN(remote::RemoteCatalog catalog, remote::load_catalog(requests, remote));
  if (auto junk = remote::describe_invalid_keys(catalog, remote); !junk.empty()) summary.warnings.push_back(junk);
  PBS_ASSIGN(std::optional<encryption::PrefixKey> key, check_encryption(requests, remote, options, catalog, start));
  PBS_ASSIGN(PrefixClaim prefix, claim(store, requests, remote, options, upload.put, catalog, summary));
  std::optional<encryption::EncryptedView> view;
  if (key) {
    for (auto& w : key->warnings) summary.warnings.push_back(std::move(w));
    if (!key->record.empty() && !options.dry_run) PBS_TRY(store_key_record(requests, remote, upload.put, *key));
    summary.key_fingerprint = crypto::short_fingerprint(key->key->fingerprint());
    encryption::ViewOptions view_options{full, std::max(1u, std::thread::hardware_concurrency())};
    PBS_ASSIGN(encryption::EncryptedView v, encryption::make_encrypted_view(store, scan, catalog, key->key, requests, remote, view_options));
    view.emplace(std::move(v));
    for (auto& w : view->warnings) summary.warnings.push_back(std::move(w));
    for (std::size_t i = scan.problems.size(); i < view->scan.problems.size(); ++i) {
      ++summary.snapshots_failed;
      summary.errors.push_back({view->scan.problems[i].snapshot, view->scan.problems[i].message});
    }
    summary.encrypted_snapshots = view->snapshots_built;
    summary.encrypt_chunks_read = view->chunks_read;
    summary.encrypt_bytes_read = view->bytes_read;
    summary.encrypt_chunks_named = view->chunks_named;
    upload.put.seal = key->key;
    upload.origin = &store;
  }
  // What is planned and sent: the datastore, or its encrypted view.
  const Datastore& source = view ? view->store : store;
  const datastore::LocalScan& local = view ? view->scan : scan;
  if (options.lock) {
    PBS_ASSIGN(retention::RetentionReport kept, retention::keep_retention(requests, remote, *options.lock, catalog, start, options.dry_run, key.has_value()));
    record_retention(summary, kept);
  }
  const records::SourceRecord& owner = prefix.owner;
  PlanOptions plan_options{full, options.remove_vanished, options.max_delete, options.scope, owner.since, &store};
  PBS_ASSIGN(Plan plan, make_plan(source, local, catalog, plan_options));
  summary.snapshots_unchanged = plan.unchanged;
  for (auto& f : plan.failed) {
    ++summary.snapshots_failed;
    summary.errors.push_back(std::move(f));
  }
  if (plan.foreign_kept) {
    summary.notices.push_back(std::to_string(plan.foreign_kept) + " remote snapshot(s) gone locally were written "
                              "before " + owner.describe() + " owned the prefix: not removed");
  }

  PBS_TRY(bucket_mode(requests, remote, options, plan, upload, summary));
  PresenceOptions presence_options{full, upload.put.if_none_match, summary.versioned,
                                   options.dry_run || bool(options.on_progress)};
  // An encrypted view proves stored only what its source snapshots name: a chunk it read may be in
  // the bucket already (another group's snapshot), and a versioned bucket would keep it twice.
  presence_options.unproven_may_be_stored = view && summary.versioned;
  PBS_ASSIGN(ChunkPresence presence, find_chunk_presence(source, plan, catalog, presence_options, requests, remote));
  summary.chunk_check = summary.versioned && presence.check == PresenceCheck::put ? "put" : presence_check_name(presence.check);
  if (options.dry_run) {
    PlanEstimate extra = presence.estimate;
    if (prefix.write) extra += PlanEstimate{1, records::format_source_record(owner).size(), 1};
    record_estimate(summary, plan, extra);
    if (presence.estimate_sampled) {
      summary.notices.push_back("dry run: the chunks' bytes are estimated from the sizes of " +
                                std::to_string(presence.estimate_sampled) + " of the " +
                                std::to_string(presence.estimate.objects) + " chunks to send");
    }
  } else {
    SyncExecutor executor(source, requests, remote, upload, summary);
    // Full mode knows only after comparing sizes what it sends: no total.
    std::uint64_t planned = full || !presence_options.estimate ? 0 : estimate_plan(plan).bytes + presence.estimate.bytes;
    executor.run(plan, presence.known, planned, options.on_progress);
  }
  summary.counters = requests.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace pbs::push
