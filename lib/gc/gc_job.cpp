#include "gc/gc_job.h"

#include <algorithm>
#include <chrono>

#include "gc/gc_decisions.h"
#include "records/gc_state.h"
#include "records/retention_record.h"
#include "remote/bucket_features.h"
#include "transfer/object_store.h"
#include "util/duration.h"

namespace pbs::gc {

namespace {

// Takes gc's lease in gc-state, refused while another gc holds one; written (not in a dry run)
// before anything is listed. `start` gets the server's time of the write.
Result<records::GcState> take_lease(transfer::RequestInterface& requests, const remote::Remote& remote,
                                    const GcOptions& options, GcSummary& summary, std::int64_t& start) {
  auto previous = records::read_gc_state(requests, remote);
  if (!previous && previous.error().code() != Errc::corrupt) return std::move(previous).error();
  if (!previous) {
    // No valid lease in it: this gc writes a good document over it.
    summary.warnings.push_back(previous.error().message() + "; replaced by this gc's own state");
    previous = std::optional<records::GcState>{};
  }
  std::int64_t now = requests.now_epoch();
  if (*previous && (*previous)->holds_lease(now)) {
    const records::GcState& other = **previous;
    return Error(Errc::locked, "a gc is running on " + summary.target + " (host " + other.host + ", PID " +
                                   std::to_string(other.pid) + "); its lease ends in " +
                                   std::to_string(other.lease_expires - now) + " s");
  }
  records::GcState state;
  state.running = true;
  state.host = options.host;
  state.pid = options.pid;
  state.started = start = now;
  state.lease_expires = now + options.lease_seconds;
  if (!options.dry_run) {
    PBS_ASSIGN(start, records::write_gc_state(requests, remote, state));
    state.started = start;
  }
  return state;
}

// Deletes in batches of 10,000, renewing the lease before each: stopping between batches leaves
// nothing half done, and gc-state says finished (not a lease that would hold syncs back until it
// expires). With `version_ids` those versions go; the ones still under retention are counted.
Status delete_in_batches(transfer::RequestInterface& requests, const remote::Remote& remote, const GcOptions& options,
                         records::GcState& state, const std::vector<std::string>& keys,
                         const std::vector<std::string>& version_ids, GcSummary& summary) {
  transfer::ObjectStore store(requests, remote.bucket);
  constexpr std::size_t kBatch = 10 * s3::kMaxDeleteKeys;
  for (std::size_t i = 0; i < keys.size(); i += kBatch) {
    std::size_t end = std::min(keys.size(), i + kBatch);
    if (options.interrupted && options.interrupted()) {
      summary.interrupted = true;
      summary.errors.push_back({"", "interrupted: stopped between deletion batches; the next gc goes on"});
      break;
    }
    state.lease_expires = requests.now_epoch() + options.lease_seconds;  // renewed as it goes
    PBS_TRY(records::write_gc_state(requests, remote, state));
    std::vector<std::string> part(keys.begin() + long(i), keys.begin() + long(end));
    std::vector<std::string> versions;
    if (!version_ids.empty()) versions.assign(version_ids.begin() + long(i), version_ids.begin() + long(end));
    PBS_ASSIGN(auto del, store.delete_all(std::move(part), std::move(versions)));
    summary.objects_deleted += del.deleted;
    for (const auto& f : del.failures) {
      if (!version_ids.empty() && f.code == "AccessDenied") {
        ++summary.versions_locked;
        continue;
      }
      summary.errors.push_back({f.key + (f.version_id.empty() ? "" : " (version " + f.version_id + ")"),
                                f.code + " " + f.message});
    }
  }
  return {};
}

Status gc_body(transfer::RequestInterface& requests, const remote::Remote& remote, const GcOptions& options,
               records::GcState& state, std::int64_t start, GcSummary& summary) {
  std::int64_t cutoff = start - options.grace_seconds;
  // The lease is published before anything is listed: a sync reading gc-state after this point
  // knows this gc may act on what it lists now.
  PBS_ASSIGN(summary.versioned, remote::bucket_versioned(requests, remote));
  Doomed doomed;
  PBS_TRY(decide_deletions(requests, remote, cutoff, MinStorage{start, options.min_storage_days}, summary.versioned,
                           summary, doomed));
  if (summary.versioned) summary.versions_doomed = doomed.keys.size();
  if (summary.chunks_hidden) {
    summary.warnings.push_back(std::to_string(summary.chunks_hidden) + " chunk(s) that complete snapshots reference "
                               "are hidden by a delete marker: their versions are kept (restore --point-in-time "
                               "reads them; `sync --mode full` sends them again)");
  }
  if (options.dry_run) return {};
  if (!summary.versioned) doomed.version_ids.clear();  // plain keys are deleted as keys
  PBS_TRY(delete_in_batches(requests, remote, options, state, doomed.keys, doomed.version_ids, summary));
  if (summary.versions_locked) {
    // The retain-until of each refused version is at most its upload + N days, or the end of the
    // last extension pass if it was still needed then.
    auto record = records::read_retention_record(requests, remote);
    if (record && *record) {
      summary.locked_until = std::max((*record)->covered_until, doomed.newest + std::int64_t((*record)->days) * kDay);
    }
  }
  return {};
}

}  // namespace

Result<GcSummary> run_gc(transfer::RequestInterface& requests, const remote::Remote& remote, const GcOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  GcSummary summary;
  summary.target = remote.url();
  summary.dry_run = options.dry_run;
  PBS_TRY(transfer::ObjectStore(requests, remote.bucket).head_bucket());
  std::int64_t start = 0;
  PBS_ASSIGN(records::GcState state, take_lease(requests, remote, options, summary, start));
  auto st = gc_body(requests, remote, options, state, start, summary);
  if (!st && st.error().code() == Errc::interrupted) {
    // The engine gave up a request for the interrupt (a listing waiting out a retry): a stop, not
    // a failure; what was decided so far stands, the lease ends below.
    summary.interrupted = true;
    summary.errors.push_back({"", "interrupted: " + st.error().message() + "; the next gc goes on"});
    st = {};
  }
  if (!options.dry_run) {
    // Finished (or failed): the lease ends now, and syncs learn a gc ran.
    state.running = false;
    state.lease_expires = 0;
    state.finished = requests.now_epoch();
    auto fin = records::write_gc_state(requests, remote, state);
    if (st && !fin) st = std::move(fin).error();
  }
  if (!st) return std::move(st).error();
  summary.counters = requests.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace pbs::gc
