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

// One restore's state beyond the summary: the catalog it plans from, the chunk listing (versions at
// a point in time, classes when it looks for archived chunks), and the passes it makes.
struct RestoreRun {
  transfer::RequestInterface& requests;
  const remote::Remote& remote;
  const std::string& datastore_path;
  const RestoreOptions& options;
  RestoreSummary& summary;
  remote::RemoteCatalog catalog;
  remote::ChunkListing listing;

  Result<RestorePlan> make_plan() {
    auto plan = make_restore_plan(catalog, options.selection, local_view(datastore_path));
    if (!plan) return std::move(plan).error().context(summary.target);
    summary.snapshots_selected = plan->selected;
    summary.snapshots_present = plan->present;
    return plan;
  }

  // Asks and waits for archived chunks. A failure (an interrupt, a refusal) ends the restore with its
  // report, never without one (false); a configuration the provider cannot serve (a tier the class
  // does not offer) is refused as one.
  Result<bool> make_readable_or_stop(std::vector<thaw::ArchivedObject> objects, bool dry) {
    auto st = make_readable(requests, remote, std::move(objects), options.thaw, dry, options.interrupted, summary);
    if (st) return true;
    if (st.error().code() == Errc::config) return std::move(st).error();
    if (st.error().code() == Errc::interrupted) summary.outcome.stop = run::StopCause::interrupted;
    summary.errors.push_back({summary.target, st.error().message()});
    return false;
  }

  // A pass that met archived chunks asks for them, waits, and the next pass restores the snapshots
  // that waited (only those: the others are restored or failed, and counted).
  Status passes(const DatastoreWriter& writer, RestorePlan plan) {
    std::size_t present = summary.snapshots_present;
    RestoreExecutor::Carry carry;
    constexpr int kPasses = 3;
    for (int pass = 0; pass < kPasses; ++pass) {
      RestoreExecutor executor(requests, remote, writer, summary, options.interrupted);
      executor.adopt(std::move(carry));
      if (options.on_progress) executor.expect_chunks(count_chunks(requests, remote, plan));
      if (remote.as_of) executor.pin_chunk_versions(&listing);
      if (options.decrypt) executor.decrypt_with(options.decrypt);
      executor.run(plan, options.on_progress);
      if (executor.archived().empty() || summary.outcome.stop != run::StopCause::none || pass + 1 == kPasses) break;
      auto answered = [&] { return summary.thaw ? summary.thaw->asked + summary.thaw->ongoing + summary.thaw->readable : 0; };
      std::size_t answered_before = answered();
      auto archived = archived_objects(remote, executor.archived(), remote.as_of ? &listing : nullptr);
      PBS_ASSIGN(bool went_on, make_readable_or_stop(std::move(archived), false));
      if (!went_on) break;
      if (summary.thaw->waiting > 0) {
        summary.asked_only = options.thaw.request_only;
        break;
      }
      // Nothing could be asked for (each request refused): another pass would meet the same.
      if (answered() == answered_before) break;
      auto waited = executor.waiting_snapshots();
      summary.snapshots_waiting = 0;
      carry = executor.take_carry();
      PBS_ASSIGN(plan, make_plan());
      std::erase_if(plan.snapshots, [&](const remote::RemoteSnapshot* s) { return !waited.contains(s); });
      summary.snapshots_present = present;
    }
    return {};
  }
};

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
  RestoreRun run{requests, remote, datastore_path, options, summary, {}, {}};
  PBS_ASSIGN(run.catalog, remote::load_catalog(requests, remote));
  // Refused, never turned into paths; the restore reports them (exit 1) but restores the rest.
  if (auto junk = remote::describe_invalid_keys(run.catalog, remote); !junk.empty()) summary.errors.push_back({"", "refused: " + junk});
  PBS_ASSIGN(auto existed, stat_path(datastore_path));
  summary.created = !existed;
  // A selection that names nothing is refused before the datastore is created; so is a prefix
  // (or a point in time) where nothing is there to restore: an empty datastore is no success.
  PBS_ASSIGN(RestorePlan first, run.make_plan());
  if (first.selected == 0) return Error(Errc::invalid_argument, nothing_there(remote, "restore"));
  // At a point in time the chunks' versions are pinned; their classes say which are archived. A
  // dry run looks too: saying what a restore would need is what it is for.
  bool look = options.thaw.look_first || options.dry_run;
  if (remote.as_of || look) {
    PBS_ASSIGN(run.listing, remote::ChunkListing::list(requests, remote, {bool(remote.as_of), look, look}));
  }
  if (look) {
    // Decrypting, the chunks on disk have other names: every archived one is asked for.
    auto local = Datastore::open(datastore_path);
    auto on_disk = [&](const Digest& d) {
      if (options.decrypt || !local) return false;
      auto st = stat_path(local->chunk_path(d));
      return st && *st;
    };
    PBS_ASSIGN(auto archived, archived_needed(requests, remote, first, run.listing, on_disk));
    PBS_ASSIGN(bool went_on, run.make_readable_or_stop(std::move(archived), options.dry_run));
    if (!went_on) return finish(summary);
    if (summary.thaw && summary.thaw->waiting > 0) {  // asked only
      summary.asked_only = options.thaw.request_only;
      return finish(summary);
    }
  }
  if (!options.dry_run) {
    PBS_ASSIGN(DatastoreWriter writer, DatastoreWriter::open_or_create(datastore_path));
    // What is on disk is looked at again under the lock, so PBS cannot change it meanwhile.
    PBS_ASSIGN(DatastoreLock lock, writer.lock_shared());
    PBS_ASSIGN(RestorePlan plan, run.make_plan());
    for (const auto& ns : plan.namespaces) PBS_TRY(writer.create_namespace(ns));
    PBS_TRY(run.passes(writer, std::move(plan)));
  }
  return finish(summary);
}

}  // namespace pbs::restore
