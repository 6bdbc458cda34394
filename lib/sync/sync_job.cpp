#include "sync/sync_job.h"

#include <chrono>

#include "sync/remote_catalog.h"
#include "sync/remote_layout.h"
#include "sync/sync_plan.h"
#include "transfer/object_store.h"
#include "util/file_io.h"

namespace pbs::sync {

using namespace datastore;

Status list_remote(transfer::Engine& engine, const Remote& remote, const std::string& rel_prefix,
                   bool split_hex,
                   const std::function<void(std::string_view rel, const s3::ObjectInfo&)>& each) {
  transfer::ObjectStore store(engine, remote.bucket);
  std::string base = remote.key(rel_prefix);
  std::size_t strip = remote.prefix.empty() ? 0 : remote.prefix.size() + 1;
  std::vector<std::string> prefixes;
  if (split_hex) {
    for (char c : std::string_view("0123456789abcdef")) prefixes.push_back(base + c);
  } else {
    prefixes.push_back(base);
  }
  std::size_t pending = prefixes.size();
  std::optional<Error> error;
  for (const auto& p : prefixes) {
    s3::ListOptions o;
    o.prefix = p;
    store.list(o,
               [&](s3::ListPage&& page) {
                 for (const auto& obj : page.objects) {
                   if (obj.key.size() < strip) continue;
                   each(std::string_view(obj.key).substr(strip), obj);
                 }
                 return !error;
               },
               [&](Status st) {
                 --pending;
                 if (!st && !error) error = std::move(st).error();
               });
  }
  engine.run_until([&] { return pending == 0; });
  if (error) return std::move(*error);
  return {};
}

Result<RemoteCatalog> load_catalog(transfer::Engine& engine, const Remote& remote) {
  RemoteCatalog catalog;
  PBS_TRY(list_remote(engine, remote, std::string(kContentDir), false,
                      [&](std::string_view rel, const s3::ObjectInfo& o) { catalog.add(rel, o); }));
  return catalog;
}

namespace {

// The bucket answers and the prefix is not a live PBS datastore.
Status preflight(transfer::Engine& engine, const Remote& remote, bool force_in_use) {
  transfer::ObjectStore store(engine, remote.bucket);
  PBS_TRY(store.head_bucket());
  PBS_ASSIGN(auto in_use, engine.execute(s3::get_object(remote.bucket, remote.key(kInUseMarker))));
  if (in_use.status == 200 && !force_in_use) {
    return Error(Errc::config,
                 "s3://" + remote.bucket + "/" + remote.prefix +
                     " holds PBS's .in-use marker (" + std::string(in_use.body_text().substr(0, 200)) +
                     "): a PBS datastore is attached to it, and its garbage collection would delete "
                     "chunks this tool uploads. Use another prefix, or --force-in-use if that PBS is gone");
  }
  return {};
}

// Digests of the indexes of `snapshots` (their local copies).
Status collect_digests(const Datastore& store, const std::vector<const LocalSnapshot*>& snapshots,
                       DigestSet& out) {
  for (const LocalSnapshot* s : snapshots) {
    for (const auto& f : s->manifest.files) {
      auto kind = snapshot_file_kind(f.filename);
      if (!kind || !is_index_kind(*kind)) continue;
      auto ix = store.read_index(s->ref, f.filename);
      if (!ix) continue;  // the executor reports it when that snapshot is worked on
      for (const auto& d : ix->digests) out.insert(d);
    }
  }
  return {};
}

}  // namespace

Result<SyncSummary> run_sync(const Datastore& store, transfer::Engine& engine, const Remote& remote,
                             const SyncOptions& options, SyncSummary summary) {
  auto t0 = std::chrono::steady_clock::now();
  bool full = options.mode == SyncMode::full;
  summary.mode = full ? "full" : "incremental";
  summary.dry_run = options.dry_run;
  PBS_TRY(preflight(engine, remote, options.force_in_use));

  PBS_ASSIGN(LocalScan scan, scan_local(store, options.scope));
  summary.snapshots_unfinished = scan.unfinished;
  for (const auto& g : scan.groups) summary.snapshots_in_scope += g.snapshots.size();
  for (const auto& p : scan.problems) {
    ++summary.snapshots_failed;
    summary.errors.push_back({p.object, "not synced: " + p.message});
  }

  PBS_ASSIGN(RemoteCatalog catalog, load_catalog(engine, remote));
  ChunkKnowledge known;
  for (const auto& k : catalog.invalid_keys()) {
    summary.warnings.push_back("ignored remote object " + remote.key(k) + ": not a PBS name");
  }
  if (full) {
    PBS_TRY(list_remote(engine, remote, std::string(kChunksDir), true,
                        [&](std::string_view rel, const s3::ObjectInfo& o) {
                          auto d = parse_chunk_key(rel.substr(kChunksDir.size()));
                          if (!d) return;
                          known.present.insert(*d);
                          known.sizes[std::string(rel)] = o.size;
                        }));
    known.listed = true;
    summary.chunk_check = "list";
  }

  PlanOptions plan_options{full, options.remove_vanished, options.max_delete, options.scope};
  PBS_ASSIGN(Plan plan, make_plan(store, scan, catalog, plan_options));
  summary.snapshots_unchanged = plan.unchanged;

  bool chunk_work = false;
  for (const auto& w : plan.work) chunk_work = chunk_work || w.chunks;
  // Chunks of snapshots complete remotely are stored (invariant 1) and gc keeps them.
  if (chunk_work) PBS_TRY(collect_digests(store, plan.proven, known.proven));
  if (!full && chunk_work) {
    // Only the other chunks need a look, by HEAD when they are few, else by listing .chunks/
    // (1 request per 1000 objects).
    known.proven.for_each([&](const Digest& d) { known.present.insert(d); });
    std::vector<const LocalSnapshot*> uploading;
    for (const auto& w : plan.work) {
      if (w.chunks) uploading.push_back(w.snapshot);
    }
    DigestSet needed;
    PBS_TRY(collect_digests(store, uploading, needed));
    std::size_t candidates = 0;
    needed.for_each([&](const Digest& d) { candidates += !known.present.contains(d); });
    std::size_t list_cost = 16 + (known.present.size() + candidates) / 1000;
    if (candidates > list_cost) {
      PBS_TRY(list_remote(engine, remote, std::string(kChunksDir), true,
                          [&](std::string_view rel, const s3::ObjectInfo& o) {
                            auto d = parse_chunk_key(rel.substr(kChunksDir.size()));
                            if (!d) return;
                            known.present.insert(*d);
                            if (!known.proven.contains(*d)) known.listed_mtime[std::string(rel)] = o.last_modified;
                          }));
      known.listed = true;
      summary.chunk_check = "list";
    } else {
      summary.chunk_check = candidates ? "head" : "none";
    }
    if (options.dry_run) {
      needed.for_each([&](const Digest& d) {
        if (known.present.contains(d)) return;
        auto st = stat_path(store.chunk_path(d));
        ++summary.planned_objects;
        summary.planned_bytes += st && *st ? (*st)->size : 0;
        summary.planned_requests += known.listed ? 1 : 2;  // HEAD + PUT when not listed
      });
    }
  } else if (summary.chunk_check.empty()) {
    summary.chunk_check = "none";
  }

  if (options.dry_run) {
    auto add = [&](const Upload& u) {
      ++summary.planned_objects;
      summary.planned_bytes += u.size;
      ++summary.planned_requests;
    };
    for (const auto& u : plan.group_files) add(u);
    for (const auto& u : plan.markers) add(u);
    for (const auto& w : plan.work) {
      for (const auto& u : w.files) add(u);
      if (w.manifest) add(Upload{"", "", 0});
      summary.planned_requests += w.deletes.size();
    }
    std::size_t deletes = plan.group_deletes.size();
    for (const auto& v : plan.vanished) deletes += v.keys.size();
    summary.planned_requests += (deletes + 999) / 1000 + (plan.vanished.empty() ? 0 : 1);
    summary.snapshots_removed = 0;
    summary.snapshots_not_removed = plan.not_removed;
    for (const auto& w : plan.work) {
      (w.kind == SnapshotWork::Kind::upload ? summary.snapshots_uploaded : summary.snapshots_updated)++;
    }
    summary.notices.push_back("dry run: " + std::to_string(plan.vanished.size()) +
                              " vanished snapshot(s) would be removed");
  } else {
    SyncExecutor executor(store, engine, remote, options.upload, summary);
    executor.run(plan, known, options.on_progress);
  }
  summary.counters = engine.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace pbs::sync
