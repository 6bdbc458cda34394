#include "push/sync_job.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "encryption/encrypted_view.h"
#include "push/chunk_presence.h"
#include "push/prefix_claim.h"
#include "push/sync_preflight.h"
#include "push/sync_plan.h"
#include "records/sealed_manifests.h"
#include "records/source_record.h"
#include "remote/bucket_features.h"
#include "remote/catalog.h"
#include "remote/listing.h"
#include "retention/retention_pass.h"

namespace pbs::push {

using namespace datastore;

namespace {

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

// One sync, step by step; each step may end the run with an error before anything is sent.
class SyncRun {
 public:
  SyncRun(const Datastore& store, transfer::RequestInterface& requests, const remote::Remote& remote,
          const SyncOptions& options, SyncSummary& summary)
      : store_(store), requests_(requests), remote_(remote), options_(options), summary_(summary),
        full_(options.mode == SyncMode::full), upload_(options.upload) {}

  Status run() {
    summary_.mode = full_ ? "full" : "incremental";
    summary_.dry_run = options_.dry_run;
    PBS_TRY(preflight(requests_, remote_, options_.force_in_use));
    start_ = requests_.now_epoch();
    PBS_TRY(check_lock_lapse(requests_, remote_, options_, summary_));
    if (options_.lock) PBS_TRY(lock_writes());
    PBS_TRY(scan());
    PBS_TRY(read_remote());
    if (key_) PBS_TRY(build_view());
    if (options_.lock) PBS_TRY(keep_locked());
    PBS_TRY(plan_work());
    return send();
  }

 private:
  // What is planned and sent: the datastore, or its encrypted view.
  const Datastore& source() const { return view_ ? view_->store : store_; }
  const LocalScan& local() const { return view_ ? view_->scan : scan_; }

  // Every object this run writes is locked until start + N days.
  Status lock_writes() {
    PBS_TRY(remote::check_bucket_lock(requests_, remote_));
    upload_.put.retention = s3::Retention{options_.lock->mode, start_ + options_.lock->period()};
    summary_.lock_mode = options_.lock->mode;
    summary_.lock_days = options_.lock->days;
    summary_.lock_until = upload_.put.retention->until;
    if (auto w = retention::lock_policy_warning(*options_.lock); !w.empty()) summary_.warnings.push_back(w);
    return {};
  }

  Status scan() {
    PBS_ASSIGN(scan_, scan_local(store_, options_.scope));
    summary_.snapshots_unfinished = scan_.unfinished;
    for (const auto& g : scan_.groups) summary_.snapshots_in_scope += g.snapshots.size();
    for (const auto& p : scan_.problems) {
      ++summary_.snapshots_failed;
      summary_.errors.push_back({p.snapshot, "not synced: " + p.message});
    }
    return {};
  }

  Status read_remote() {
    PBS_ASSIGN(catalog_, remote::load_catalog(requests_, remote_));
    if (auto junk = remote::describe_invalid_keys(catalog_, remote_); !junk.empty()) summary_.warnings.push_back(junk);
    PBS_ASSIGN(key_, check_encryption(requests_, remote_, options_, catalog_, start_));
    PBS_ASSIGN(prefix_, claim(store_, requests_, remote_, options_, upload_.put, catalog_, summary_));
    return {};
  }

  Status build_view() {
    for (auto& w : key_->warnings) summary_.warnings.push_back(std::move(w));
    if (!key_->record.empty() && !options_.dry_run) PBS_TRY(store_key_record(requests_, remote_, options_, upload_.put, *key_));
    summary_.key_fingerprint = crypto::short_fingerprint(key_->key->fingerprint());
    encryption::ViewOptions view_options{full_, std::max(1u, std::thread::hardware_concurrency())};
    PBS_ASSIGN(auto view, encryption::make_encrypted_view(store_, scan_, catalog_, key_->key, requests_, remote_, view_options));
    view_.emplace(std::move(view));
    for (auto& w : view_->warnings) summary_.warnings.push_back(std::move(w));
    for (std::size_t i = scan_.problems.size(); i < view_->scan.problems.size(); ++i) {
      ++summary_.snapshots_failed;
      summary_.errors.push_back({view_->scan.problems[i].snapshot, view_->scan.problems[i].message});
    }
    summary_.encrypted_snapshots = view_->snapshots_built;
    summary_.encrypt_chunks_read = view_->chunks_read;
    summary_.encrypt_bytes_read = view_->bytes_read;
    summary_.encrypt_chunks_named = view_->chunks_named;
    upload_.put.seal = key_->key;
    upload_.origin = &store_;
    return {};
  }

  Status keep_locked() {
    PBS_ASSIGN(auto kept, retention::keep_retention(requests_, remote_, *options_.lock, catalog_, start_, options_.dry_run,
                                                    key_.has_value()));
    record_retention(summary_, kept);
    return {};
  }

  Status plan_work() {
    const records::SourceRecord& owner = prefix_.owner;
    PlanOptions plan_options{full_, options_.remove_vanished, options_.max_delete, options_.scope, owner.since, &store_};
    PBS_ASSIGN(plan_, make_plan(source(), local(), catalog_, plan_options));
    summary_.snapshots_unchanged = plan_.unchanged;
    for (auto& f : plan_.failed) {
      ++summary_.snapshots_failed;
      summary_.errors.push_back(std::move(f));
    }
    if (!plan_.deletion_refused.empty()) summary_.errors.push_back({"", plan_.deletion_refused});
    if (plan_.foreign_kept) {
      summary_.notices.push_back(std::to_string(plan_.foreign_kept) + " remote snapshot(s) gone locally were written "
                                 "before " + owner.describe() + " owned the prefix: not removed");
    }
    return {};
  }

  Status send() {
    PBS_TRY(bucket_mode(requests_, remote_, options_, plan_, upload_, summary_));
    PresenceOptions presence_options{full_, upload_.put.if_none_match, summary_.versioned,
                                     options_.dry_run || bool(options_.on_progress)};
    // An encrypted view proves stored only what its source snapshots name: a chunk it read may be
    // in the bucket already (another group's snapshot), and a versioned bucket would keep it twice.
    presence_options.unproven_may_be_stored = view_ && summary_.versioned;
    PBS_ASSIGN(ChunkPresence presence, find_chunk_presence(source(), plan_, catalog_, presence_options, requests_, remote_));
    PresenceCheck check = presence.known.check;
    summary_.chunk_check = summary_.versioned && check == PresenceCheck::put ? "put" : presence_check_name(check);
    if (options_.dry_run) {
      PlanEstimate extra = presence.estimate;
      if (prefix_.write) extra += PlanEstimate{1, records::format_source_record(prefix_.owner).size(), 1};
      record_estimate(summary_, plan_, extra);
      if (presence.estimate_sampled) {
        summary_.notices.push_back("dry run: the chunks' bytes are estimated from the sizes of " +
                                   std::to_string(presence.estimate_sampled) + " of the " +
                                   std::to_string(presence.estimate.objects) + " chunks to send");
      }
      return {};
    }
    SyncExecutor executor(source(), requests_, remote_, upload_, summary_);
    // Full mode knows only after comparing sizes what it sends: no total.
    std::uint64_t planned = full_ || !presence_options.estimate ? 0 : estimate_plan(plan_).bytes + presence.estimate.bytes;
    executor.run(plan_, presence.known, planned, options_.on_progress);
    if (view_) keep_sealed_manifests();
    return {};
  }

  // The next encrypted run reads every manifest in one request (records/sealed_manifests.h). A
  // record that is not written costs the next run a GET per snapshot, never a wrong answer.
  void keep_sealed_manifests() {
    if (view_->sealed == view_->recorded) return;
    auto st = records::write_sealed_manifests(requests_, remote_, view_->sealed, upload_.put.options(false, false));
    if (!st) summary_.notices.push_back("the record of sealed manifests was not written (" + st.error().message() +
                                        "): the next run reads each remote manifest");
  }

  const Datastore& store_;
  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  const SyncOptions& options_;
  SyncSummary& summary_;
  bool full_;
  UploadOptions upload_;
  std::int64_t start_ = 0;
  LocalScan scan_;
  remote::RemoteCatalog catalog_;
  std::optional<encryption::PrefixKey> key_;
  PrefixClaim prefix_;
  std::optional<encryption::EncryptedView> view_;
  Plan plan_;
};

}  // namespace

Result<SyncSummary> run_sync(const Datastore& store, transfer::RequestInterface& requests, const remote::Remote& remote,
                             const SyncOptions& options, SyncSummary summary) {
  auto t0 = std::chrono::steady_clock::now();
  transfer::PrefetchedReads probed(requests);
  send_start_probes(probed, remote, options);
  PBS_TRY(SyncRun(store, probed, remote, options, summary).run());
  summary.counters = requests.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace pbs::push
