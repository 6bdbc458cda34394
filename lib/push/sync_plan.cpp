#include "push/sync_plan.h"

#include <algorithm>
#include <map>

#include "remote/key_layout.h"
#include "util/file_io.h"
#include "util/hex.h"
#include "util/md5.h"

namespace pbs::push {

using namespace datastore;

namespace {

bool is_md5_etag(const std::string& etag) { return etag.size() == 32 && is_lower_hex(etag); }

// The local file matches the remote object: same size and, when the ETag is an MD5 (single-part,
// no SSE-KMS), the same MD5. A missing local file is never "the same".
Result<bool> same_content(const remote::RemoteFile* remote, const std::string& path, std::uint64_t size) {
  if (!remote || remote->size != size) return false;
  if (!is_md5_etag(remote->etag)) return true;
  PBS_ASSIGN(std::string md5, file_md5_hex(path));
  return md5 == remote->etag;
}

Result<std::optional<Upload>> local_upload(const Datastore& store, const std::string& datastore_rel,
                                           const std::string& key_rel) {
  std::string path = store.path(datastore_rel);
  PBS_ASSIGN(auto st, stat_path(path));
  if (!st || !st->is_regular) return std::optional<Upload>{};
  return std::optional<Upload>(Upload{key_rel, path, st->size});
}

const remote::RemoteFile* remote_file(const remote::RemoteSnapshot* rs, std::string_view name) {
  if (!rs) return nullptr;
  auto it = rs->files.find(std::string(name));
  return it == rs->files.end() ? nullptr : &it->second;
}

// Owner and notes of a group: sent when they differ from the remote ones, deleted remotely when
// gone locally.
Status plan_group_files(const Datastore& store, const LocalGroup& g, const remote::RemoteGroup* rg, Plan& plan) {
  for (std::string_view name : {kOwnerName, kNotesName}) {
    bool present = name == kOwnerName ? g.has_owner : g.has_notes;
    const remote::RemoteFile* rf = nullptr;
    if (rg) {
      auto it = rg->files.find(std::string(name));
      if (it != rg->files.end()) rf = &it->second;
    }
    std::string key = remote::group_file_rel_key(g.ref, name);
    if (!present) {
      if (rf) plan.group_deletes.push_back(key);
      continue;
    }
    PBS_ASSIGN(auto up, local_upload(store, g.ref.rel_dir() + "/" + std::string(name), key));
    if (!up) continue;
    PBS_ASSIGN(bool same, same_content(rf, up->local_path, up->size));
    if (!same) plan.group_files.push_back(std::move(*up));
  }
  return {};
}

// The files of a finished snapshot never change, so only its manifest is compared. When the
// manifest did change, every file it lists must still be proven stored, by size and MD5 ETag,
// before the new manifest goes up; if one is not, the snapshot is sent again as new.
Result<bool> still_complete(const Datastore& store, const LocalSnapshot& s, const remote::RemoteSnapshot* rs) {
  std::string path = store.path(s.ref.rel_dir() + "/" + std::string(kManifestName));
  PBS_ASSIGN(auto st, stat_path(path));
  PBS_ASSIGN(bool same, same_content(remote_file(rs, kManifestName), path, st ? st->size : 0));
  for (std::size_t i = 0; !same && i < s.manifest.files.size(); ++i) {
    const auto& name = s.manifest.files[i].filename;
    std::string file = store.path(s.ref.rel_dir() + "/" + name);
    PBS_ASSIGN(auto fst, stat_path(file));
    PBS_ASSIGN(bool stored, same_content(remote_file(rs, name), file, fst ? fst->size : 0));
    if (!stored) return false;
  }
  return true;
}

// The snapshot's files to send: all of them when it is not complete remotely (leftovers of an
// incomplete remote snapshot are not trusted: gc may remove them while this run works), else the
// manifest and .protected when they changed, or every file that differs in full mode.
Status plan_files(const Datastore& store, const LocalSnapshot& s, const remote::RemoteSnapshot* rs, bool complete,
                  bool full, SnapshotWork& w) {
  for (const auto& name : s.files) {
    bool manifest = name == kManifestName;
    if (complete && !full && !manifest && name != kProtectedName) continue;
    PBS_ASSIGN(auto up, local_upload(store, s.ref.rel_dir() + "/" + name, remote::snapshot_file_rel_key(s.ref, name)));
    if (!up) continue;  // vanished since the scan: the executor notices
    if (complete) {
      PBS_ASSIGN(bool same, same_content(remote_file(rs, name), up->local_path, up->size));
      if (same) continue;
    }
    if (manifest) {
      w.manifest = true;
      w.manifest_size = up->size;
    } else {
      w.files.push_back(std::move(*up));
    }
  }
  return {};
}

// One local snapshot against its remote copy: work to do, unchanged, or failed.
Status plan_snapshot(const Datastore& store, const LocalSnapshot* s, const remote::RemoteCatalog& remote,
                     const PlanOptions& options, Plan& plan) {
  // A manifest names every file of its snapshot; one missing here can never be sent, and the
  // manifest must not go up without it.
  for (const auto& f : s->manifest.files) {
    if (std::find(s->files.begin(), s->files.end(), f.filename) != s->files.end()) continue;
    plan.failed.push_back({s->ref.rel_dir(), "not completed: " + f.filename + " is listed in its manifest but "
                                             "missing locally"});
    return {};
  }
  const remote::RemoteSnapshot* rs = remote.snapshot(s->ref);
  bool complete = rs && rs->complete();
  if (complete && !options.full) {
    PBS_ASSIGN(complete, still_complete(store, *s, rs));
  }
  SnapshotWork w;
  w.snapshot = s;
  w.kind = complete ? (options.full ? SnapshotWork::Kind::repair : SnapshotWork::Kind::update) : SnapshotWork::Kind::upload;
  w.chunks = !complete || options.full;
  PBS_TRY(plan_files(store, *s, rs, complete, options.full, w));
  if (complete && !s->is_protected && remote_file(rs, kProtectedName)) {
    w.deletes.push_back(remote::snapshot_file_rel_key(s->ref, kProtectedName));
  }
  if (!complete) w.manifest = true;
  if (complete) plan.proven.push_back(s);
  if (!w.manifest && w.files.empty() && w.deletes.empty() && !w.chunks) {
    ++plan.unchanged;
    return {};
  }
  plan.work.push_back(std::move(w));
  return {};
}

// Remote snapshots gone locally, within --max-delete, manifest first; never one written before
// this source owned the prefix, nor one of a group the filters leave out.
Status plan_vanished(const Datastore& store, const remote::RemoteCatalog& remote, const PlanOptions& options,
                     const std::map<GroupRef, const LocalGroup*>& local_groups, Plan& plan) {
  std::vector<const remote::RemoteSnapshot*> gone;
  std::size_t in_scope = 0;
  for (const auto& [ref, rs] : remote.snapshots()) {
    if (!rs.complete() || !options.scope.contains(ref.group.ns)) continue;
    if (!group_selected(options.scope.filters, ref.group)) continue;
    ++in_scope;
    auto lg = local_groups.find(ref.group);
    if (lg != local_groups.end() && lg->second->all_times.count(ref.time)) continue;
    if (rs.files.at(std::string(kManifestName)).mtime < options.owned_since) {
      ++plan.foreign_kept;  // written before this source owned the prefix
      continue;
    }
    // A group filtered out locally still exists locally: only its absence counts.
    if (lg == local_groups.end()) {
      PBS_ASSIGN(auto st, stat_path((options.origin ? *options.origin : store).path(ref.rel_dir())));
      if (st) continue;
    }
    gone.push_back(&rs);
  }
  bool every = !gone.empty() && gone.size() == in_scope;
  if (!options.max_delete && (every || double(gone.size()) > kMaxVanishedShare * double(in_scope))) {
    plan.not_removed = gone.size();
    plan.deletion_refused = "--remove-vanished would remove " + std::string(every ? "every one" : std::to_string(gone.size())) +
                            " of the " + std::to_string(in_scope) + " remote snapshots" +
                            (every ? " (is the datastore empty, or the wrong one?)" : "") +
                            ": nothing removed; pass --max-delete " + std::to_string(gone.size()) +
                            " to remove them";
    return {};
  }
  std::size_t limit = options.max_delete.value_or(gone.size());
  plan.not_removed = gone.size() > limit ? gone.size() - limit : 0;
  for (std::size_t i = 0; i < gone.size() && i < limit; ++i) {
    VanishedSnapshot v;
    v.ref = gone[i]->ref;
    v.keys.push_back(remote::snapshot_file_rel_key(v.ref, kManifestName));
    for (const auto& [name, f] : gone[i]->files) {
      if (name != kManifestName) v.keys.push_back(remote::snapshot_file_rel_key(v.ref, name));
    }
    plan.vanished.push_back(std::move(v));
  }
  return {};
}

}  // namespace

Result<Plan> make_plan(const Datastore& store, const LocalScan& scan, const remote::RemoteCatalog& remote,
                       const PlanOptions& options) {
  Plan plan;
  // Namespace markers: PBS needs them for empty namespaces; it writes them for every one.
  for (const auto& ns : scan.namespaces) {
    if (ns.is_root() || remote.has_namespace_marker(ns)) continue;
    plan.markers.push_back(Upload{remote::namespace_marker_rel_key(ns), "", 0});
  }
  std::vector<const LocalSnapshot*> ordered;
  std::map<GroupRef, const LocalGroup*> local_groups;
  for (const auto& g : scan.groups) {
    local_groups[g.ref] = &g;
    const remote::RemoteGroup* rg = remote.group(g.ref);
    if (g.snapshots.empty() && !rg) continue;
    PBS_TRY(plan_group_files(store, g, rg, plan));
    for (const auto& s : g.snapshots) ordered.push_back(&s);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const LocalSnapshot* a, const LocalSnapshot* b) { return a->ref.time < b->ref.time; });
  for (const LocalSnapshot* s : ordered) PBS_TRY(plan_snapshot(store, s, remote, options, plan));
  if (options.remove_vanished) PBS_TRY(plan_vanished(store, remote, options, local_groups, plan));
  return plan;
}

PlanEstimate estimate_plan(const Plan& plan) {
  PlanEstimate e;
  auto add = [&](std::uint64_t size) {
    ++e.objects;
    e.bytes += size;
    ++e.requests;
  };
  for (const auto& u : plan.group_files) add(u.size);
  for (const auto& u : plan.markers) add(u.size);
  for (const auto& w : plan.work) {
    for (const auto& u : w.files) add(u.size);
    if (w.manifest) add(w.manifest_size);
    e.requests += w.deletes.size();
  }
  // Deletions go in batches of 1000 keys, manifests first in a batch of their own.
  std::size_t deletes = plan.group_deletes.size();
  for (const auto& v : plan.vanished) deletes += v.keys.size();
  e.requests += (deletes + 999) / 1000 + (plan.vanished.empty() ? 0 : 1);
  return e;
}

}  // namespace pbs::push
