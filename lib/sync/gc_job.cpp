#include "sync/gc_job.h"

#include <algorithm>
#include <chrono>

#include "datastore/digest_set.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "sync/gc_state.h"
#include "sync/remote_catalog.h"
#include "sync/remote_layout.h"
#include "sync/remote_listing.h"
#include "sync/remote_references.h"
#include "transfer/object_store.h"

namespace pbs::sync {

using namespace datastore;

namespace {
Status gc_body(transfer::RequestInterface& requests, const Remote& remote, const GcOptions& options, GcState& state,
               std::int64_t start, GcSummary& summary);
}  // namespace

Result<GcSummary> run_gc(transfer::RequestInterface& requests, const Remote& remote, const GcOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  GcSummary summary;
  summary.target = remote.url();
  summary.dry_run = options.dry_run;
  transfer::ObjectStore store(requests, remote.bucket);
  PBS_TRY(store.head_bucket());

  auto previous = read_gc_state(requests, remote);
  if (!previous && previous.error().code() != Errc::corrupt) return std::move(previous).error();
  if (!previous) {
    // No valid lease in it: this gc writes a good document over it.
    summary.warnings.push_back(previous.error().message() + "; replaced by this gc's own state");
    previous = std::optional<GcState>{};
  }
  std::int64_t now = requests.now_epoch();
  if (*previous && (*previous)->holds_lease(now)) {
    const GcState& other = **previous;
    return Error(Errc::locked, "a gc is running on " + summary.target + " (host " + other.host + ", PID " +
                                   std::to_string(other.pid) + "); its lease ends in " +
                                   std::to_string(other.lease_expires - now) + " s");
  }
  GcState state;
  state.running = true;
  state.host = options.host;
  state.pid = options.pid;
  state.started = now;
  state.lease_expires = now + options.lease_seconds;
  std::int64_t start = now;
  if (!options.dry_run) {
    PBS_ASSIGN(start, write_gc_state(requests, remote, state));
    state.started = start;
  }
  auto st = gc_body(requests, remote, options, state, start, summary);
  if (!options.dry_run) {
    // Finished (or failed): the lease ends now, and syncs learn a gc ran.
    state.running = false;
    state.lease_expires = 0;
    state.finished = requests.now_epoch();
    auto fin = write_gc_state(requests, remote, state);
    if (st && !fin) st = std::move(fin).error();
  }
  if (!st) return std::move(st).error();
  summary.counters = requests.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

namespace {

Status gc_body(transfer::RequestInterface& requests, const Remote& remote, const GcOptions& options, GcState& state,
               std::int64_t start, GcSummary& summary) {
  std::int64_t cutoff = start - options.grace_seconds;

  // The lease is published before anything is listed: a sync reading gc-state after this point
  // knows this gc may act on what it lists now.
  PBS_ASSIGN(RemoteCatalog catalog, load_catalog(requests, remote));
  transfer::ObjectStore store(requests, remote.bucket);
  DigestSet referenced;
  PBS_TRY(collect_referenced(requests, remote, catalog, referenced, summary.snapshots_referencing));
  summary.chunks_referenced = referenced.size();

  std::vector<std::string> doomed;
  PBS_TRY(list_remote(requests, remote, kChunksDir, true,
                      [&](std::string_view rel, const s3::ObjectInfo& o) {
                        auto d = parse_chunk_key(rel.substr(kChunksDir.size()));
                        if (!d) return;
                        ++summary.chunks_listed;
                        if (referenced.contains(*d)) return;
                        // Inclusive: Last-Modified has one-second resolution.
                        if (o.last_modified > cutoff) {
                          ++summary.chunks_young;
                          return;
                        }
                        ++summary.chunks_deleted;
                        summary.bytes_freed += o.size;
                        doomed.push_back(o.key);
                      }));
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (rs.complete()) continue;
    std::int64_t newest = 0;
    for (const auto& [name, f] : rs.files) newest = std::max(newest, f.mtime);
    if (newest > cutoff) {
      ++summary.incomplete_kept;
      continue;
    }
    ++summary.incomplete_removed;
    for (const auto& [name, f] : rs.files) doomed.push_back(remote.key(snapshot_file_rel_key(ref, name)));
  }

  if (!options.dry_run) {
    for (std::size_t i = 0; i < doomed.size(); i += 10 * s3::kMaxDeleteKeys) {
      std::vector<std::string> part(doomed.begin() + long(i),
                                    doomed.begin() + long(std::min(doomed.size(), i + 10 * s3::kMaxDeleteKeys)));
      // Stopping between batches leaves nothing half done, and gc-state says finished (not a
      // lease that would hold syncs back until it expires).
      if (options.interrupted && options.interrupted()) {
        summary.interrupted = true;
        summary.errors.push_back({"", "interrupted: stopped between deletion batches; the next gc goes on"});
        break;
      }
      state.lease_expires = requests.now_epoch() + options.lease_seconds;  // renewed as it goes
      PBS_TRY(write_gc_state(requests, remote, state));
      PBS_ASSIGN(auto del, store.delete_all(std::move(part)));
      summary.objects_deleted += del.deleted;
      for (const auto& f : del.failures) summary.errors.push_back({f.key, f.code + " " + f.message});
    }
  }
  return {};
}

}  // namespace

}  // namespace pbs::sync
