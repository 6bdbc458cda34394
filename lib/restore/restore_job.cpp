#include "restore/restore_job.h"

#include <chrono>

#include "datastore/datastore_writer.h"
#include "remote/catalog.h"
#include "remote/chunk_listing.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "remote/references.h"
#include "restore/restore_executor.h"
#include "transfer/object_store.h"
#include "util/file_io.h"
#include "util/md5.h"

namespace pbs::restore {

using namespace datastore;

namespace {

// The local datastore as the plan sees it (it may not exist yet).
LocalView local_view(const std::string& root) {
  LocalView v;
  v.has_snapshot = [root](const SnapshotRef& ref, const remote::RemoteFile& remote) {
    std::string path = join_path(root, ref.rel_dir() + "/" + std::string(kManifestName));
    auto st = stat_path(path);
    if (!st || !*st || (*st)->size != remote.size) return false;
    if (remote.etag.size() != 32) return true;  // not an MD5 (multipart, SSE-KMS): the size decides
    auto md5 = file_md5_hex(path);
    return md5 && *md5 == remote.etag;
  };
  v.has_group_file = [root](const GroupRef& g, std::string_view name) {
    auto st = stat_path(join_path(root, g.rel_dir() + "/" + std::string(name)));
    return st && *st;
  };
  return v;
}

// How many distinct chunks the plan's snapshots reference, for the progress line's total: their
// indexes read once before the run (a few hundred KB per million chunks' worth of snapshots, next to
// the chunks themselves). 0 when it cannot tell; the run reports what it cannot read itself.
std::size_t count_chunks(transfer::RequestInterface& requests, const remote::Remote& remote, const RestorePlan& plan) {
  std::vector<remote::SnapshotToRead> reads;
  for (const auto* snap : plan.snapshots) reads.push_back({snap, nullptr});
  DigestSet chunks;
  std::vector<std::string> skipped;
  if (!remote::collect_referenced(requests, remote, reads, chunks, &skipped)) return 0;
  return chunks.size();
}

}  // namespace

Result<RestoreSummary> run_restore(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   const std::string& datastore_path, const RestoreOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  RestoreSummary summary;
  auto finish = [&](RestoreSummary& s) -> Result<RestoreSummary> {
    s.counters = requests.counters();
    s.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::move(s);
  };
  summary.datastore = datastore_path;
  summary.target = remote.url();
  summary.dry_run = options.dry_run;
  {
    transfer::ObjectStore store(requests, remote.bucket);
    PBS_TRY(store.head_bucket());
  }
  PBS_ASSIGN(remote::RemoteCatalog catalog, remote::load_catalog(requests, remote));
  // Refused, never turned into paths; the restore reports them (exit 1) but restores the rest.
  if (auto junk = remote::describe_invalid_keys(catalog, remote); !junk.empty()) summary.errors.push_back({"", "refused: " + junk});
  auto make_plan = [&]() -> Result<RestorePlan> {
    auto plan = make_restore_plan(catalog, options.selection, local_view(datastore_path));
    if (!plan) return std::move(plan).error().context(summary.target);
    summary.snapshots_selected = plan->selected;
    summary.snapshots_present = plan->present;
    return plan;
  };
  PBS_ASSIGN(auto existed, stat_path(datastore_path));
  summary.created = !existed;
  // A selection that names nothing is refused before the datastore is created; so is a prefix
  // (or a point in time) where nothing is there to restore: an empty datastore is no success.
  PBS_ASSIGN(RestorePlan first, make_plan());
  if (first.selected == 0) return Error(Errc::invalid_argument, nothing_there(remote, "restore"));
  const ThawChoice& thaw = options.thaw;
  // At a point in time the chunks' versions are pinned; their classes say which are archived.
  remote::ChunkListing listing;
  // A dry run looks too: saying what a restore would need is what it is for.
  bool look = thaw.look_first || options.dry_run;
  if (remote.as_of || look) {
    PBS_ASSIGN(listing, remote::ChunkListing::list(requests, remote, {bool(remote.as_of), look, look}));
  }
  // Decrypting, the chunks on disk have other names: every archived one is asked for.
  auto local = Datastore::open(datastore_path);
  auto on_disk = [&](const Digest& d) {
    if (options.decrypt || !local) return false;
    auto st = stat_path(local->chunk_path(d));
    return st && *st;
  };
  if (look) {
    PBS_ASSIGN(auto archived, archived_needed(requests, remote, first, listing, on_disk));
    PBS_TRY(make_readable(requests, remote, std::move(archived), thaw, options.dry_run, options.interrupted, summary));
    if (summary.thaw && summary.thaw->waiting > 0) return finish(summary);  // asked only, or interrupted
  }
  if (!options.dry_run) {
    PBS_ASSIGN(DatastoreWriter writer, DatastoreWriter::open_or_create(datastore_path));
    // What is on disk is looked at again under the lock, so PBS cannot change it meanwhile.
    PBS_ASSIGN(DatastoreLock lock, writer.lock_shared());
    PBS_ASSIGN(RestorePlan plan, make_plan());
    std::size_t present = summary.snapshots_present;
    for (const auto& ns : plan.namespaces) PBS_TRY(writer.create_namespace(ns));
    // A pass that met archived chunks asks for them, waits, and the next pass restores what waited.
    RestoreExecutor::Carry carry;
    for (int pass = 0; pass < 3; ++pass) {
      RestoreExecutor executor(requests, remote, writer, summary, options.interrupted);
      executor.adopt(std::move(carry));
      if (options.on_progress) executor.expect_chunks(count_chunks(requests, remote, plan));
      if (remote.as_of) executor.pin_chunk_versions(&listing);
      if (options.decrypt) executor.decrypt_with(options.decrypt);
      executor.run(plan, options.on_progress);
      if (executor.archived().empty() || summary.outcome.stop != run::StopCause::none) break;
      auto archived = archived_objects(remote, executor.archived(), remote.as_of ? &listing : nullptr);
      PBS_TRY(make_readable(requests, remote, std::move(archived), thaw, false, options.interrupted, summary));
      if (summary.thaw->waiting > 0) break;
      summary.snapshots_waiting = 0;
      carry = executor.take_carry();
      PBS_ASSIGN(plan, make_plan());
      summary.snapshots_present = present;
    }
  }
  return finish(summary);
}


}  // namespace pbs::restore
