#include "check/remote_inventory.h"

#include <algorithm>
#include <map>
#include <set>

#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "transfer/object_store.h"

namespace pbs::check {

using namespace datastore;

Result<Inventory> remote_inventory(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   const InventoryOptions& options) {
  Inventory inv;
  inv.root = remote.url();
  {
    transfer::ObjectStore store(requests, remote.bucket);
    PBS_TRY(store.head_bucket());
  }
  PBS_ASSIGN(remote::RemoteCatalog catalog, remote::load_catalog(requests, remote));
  if (auto junk = remote::describe_invalid_keys(catalog, remote); !junk.empty()) inv.problems.push_back(junk);
  auto in_scope = [&](const Namespace& ns) { return options.contains(ns); };

  std::set<Namespace> namespaces{options.anchor};
  std::map<GroupRef, GroupSummary> groups;
  for (const auto& ns : catalog.namespace_markers()) {
    if (in_scope(ns)) namespaces.insert(ns);
  }
  for (const auto& [ref, g] : catalog.groups()) {
    if (!in_scope(ref.ns)) continue;
    namespaces.insert(ref.ns);
    auto& s = groups[ref];
    s.ref = ref;
    s.has_notes = g.files.count(std::string(kNotesName)) > 0;
  }
  std::vector<std::pair<const remote::RemoteSnapshot*, GroupSummary*>> complete;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!in_scope(ref.group.ns)) continue;
    namespaces.insert(ref.group.ns);
    auto& g = groups[ref.group];
    g.ref = ref.group;
    if (rs.complete()) {
      complete.emplace_back(&rs, &g);
    } else {
      ++g.unfinished;
      ++inv.unfinished_snapshots;
    }
  }
  inv.namespaces.assign(namespaces.begin(), namespaces.end());

  // Owners, then manifests, fetched in parallel.
  for (auto& entry : groups) {
    const GroupRef& ref = entry.first;
    GroupSummary& g = entry.second;  // a plain reference: clang 14 cannot capture bindings
    const remote::RemoteGroup* rg = catalog.group(ref);
    if (!rg || !rg->files.count(std::string(kOwnerName))) continue;
    requests.submit(remote::remote_get(remote, remote::group_file_rel_key(ref, kOwnerName), rg->files.at(std::string(kOwnerName)).version_id),
                  [&g](Result<s3::Response> r) {
                    if (!r || r->status != 200) return;
                    std::string text(r->body_text());
                    text = text.substr(0, text.find('\n'));
                    g.owner = text;
                  });
  }
  std::vector<std::optional<SnapshotSummary>> summaries(complete.size());
  for (std::size_t i = 0; i < complete.size(); ++i) {
    const remote::RemoteSnapshot* rs = complete[i].first;
    requests.submit(remote::remote_get(remote, remote::snapshot_file_rel_key(rs->ref, kManifestName), rs->version(kManifestName)),
                  [&, i, rs](Result<s3::Response> r) {
                    if (!r || r->status != 200) {
                      inv.problems.push_back(rs->ref.rel_dir() + ": manifest unreadable");
                      return;
                    }
                    auto m = parse_manifest_blob(r->body);
                    if (!m) {
                      inv.problems.push_back(rs->ref.rel_dir() + ": " + m.error().message());
                      return;
                    }
                    SnapshotSummary s;
                    s.ref = rs->ref;
                    for (const auto& f : m->files) {
                      s.files.push_back(f.filename);
                      auto kind = snapshot_file_kind(f.filename);
                      if (kind && is_index_kind(*kind)) s.logical_size += f.size;
                    }
                    s.is_protected = rs->files.count(std::string(kProtectedName)) > 0;
                    s.encrypted = m->encrypted();
                    s.verify_state = m->verify_state();
                    summaries[i] = std::move(s);
                  });
  }
  std::uint64_t chunk_bytes = 0, chunks = 0;
  PBS_TRY(remote::list_remote(requests, remote, remote::kChunksDir, true,
                      [&](std::string_view rel, const s3::ObjectInfo& o) {
                        if (!remote::parse_chunk_key(rel.substr(remote::kChunksDir.size()))) return;
                        ++chunks;
                        chunk_bytes += o.size;
                      }));
  requests.run();
  for (std::size_t i = 0; i < complete.size(); ++i) {
    if (!summaries[i]) continue;
    inv.logical_bytes += summaries[i]->logical_size;
    complete[i].second->snapshots.push_back(std::move(*summaries[i]));
  }
  for (auto& [ref, g] : groups) {
    std::sort(g.snapshots.begin(), g.snapshots.end(),
              [](const SnapshotSummary& a, const SnapshotSummary& b) { return a.ref.time < b.ref.time; });
    inv.snapshots += g.snapshots.size();
    inv.groups.push_back(std::move(g));
  }
  inv.unique_chunks = chunks;
  inv.unique_chunk_bytes = chunk_bytes;
  return inv;
}

}  // namespace pbs::check
