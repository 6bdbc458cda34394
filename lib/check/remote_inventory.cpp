#include "check/remote_inventory.h"

#include <algorithm>
#include <map>
#include <set>

#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "remote/fetch_each.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "remote/snapshot_reader.h"
#include "transfer/object_store.h"

namespace pbs::check {

using namespace datastore;

namespace {

class RemoteInventory {
 public:
  RemoteInventory(transfer::RequestInterface& requests, const remote::Remote& remote, const InventoryOptions& options)
      : requests_(requests), remote_(remote), options_(options) {}

  Result<Inventory> run() {
    inv_.root = remote_.url();
    PBS_TRY(transfer::ObjectStore(requests_, remote_.bucket).head_bucket());
    PBS_ASSIGN(remote::RemoteCatalog catalog, remote::load_catalog(requests_, remote_));
    if (auto junk = remote::describe_invalid_keys(catalog, remote_); !junk.empty()) inv_.problems.push_back(junk);
    sort_catalog(catalog);
    PBS_TRY(read_owners());
    PBS_TRY(read_manifests());
    PBS_TRY(count_chunks());
    finish();
    return std::move(inv_);
  }

 private:
  // Namespaces, groups and snapshots in scope; complete snapshots wait for their manifests.
  void sort_catalog(const remote::RemoteCatalog& catalog) {
    auto in_scope = [&](const Namespace& ns) { return options_.contains(ns); };
    namespaces_.insert(options_.anchor);
    for (const auto& ns : catalog.namespace_markers()) {
      if (in_scope(ns)) namespaces_.insert(ns);
    }
    for (const auto& [ref, g] : catalog.groups()) {
      if (!in_scope(ref.ns)) continue;
      namespaces_.insert(ref.ns);
      auto& s = group(ref);
      s.has_notes = g.files.count(std::string(kNotesName)) > 0;
      if (auto owner = g.files.find(std::string(kOwnerName)); owner != g.files.end()) {
        owners_.emplace_back(ref, owner->second.version_id);
      }
    }
    for (const auto& [ref, rs] : catalog.snapshots()) {
      if (!in_scope(ref.group.ns)) continue;
      namespaces_.insert(ref.group.ns);
      auto& g = group(ref.group);
      if (rs.complete()) {
        complete_.push_back({&rs, nullptr});
      } else {
        ++g.unfinished;
        ++inv_.unfinished_snapshots;
      }
    }
  }

  GroupSummary& group(const GroupRef& ref) {
    auto& g = groups_[ref];
    g.ref = ref;
    return g;
  }

  Status read_owners() {
    return remote::fetch_each(
        requests_, owners_.size(),
        [&](std::size_t i) {
          const auto& [ref, version] = owners_[i];
          return std::pair{remote::remote_get(remote_, remote::group_file_rel_key(ref, kOwnerName), version),
                           transfer::Sink::in_memory(4096)};
        },
        [&](std::size_t i, Result<s3::Response> r) {
          if (!r || r->status != 200) return;
          std::string text(r->body_text());
          groups_[owners_[i].first].owner = text.substr(0, text.find('\n'));
        });
  }

  Status read_manifests() {
    return remote::read_snapshots(
        requests_, remote_, complete_,
        [&](std::size_t i, Result<remote::ManifestRead> m) -> std::vector<std::string> {
          const remote::RemoteSnapshot& rs = *complete_[i].snapshot;
          if (!m) {
            inv_.problems.push_back(rs.ref.rel_dir() + ": " + m.error().message());
          } else {
            add_snapshot(rs, m->manifest);
          }
          return {};
        },
        [](std::size_t, const std::string&, Result<std::vector<std::uint8_t>>) {});
  }

  void add_snapshot(const remote::RemoteSnapshot& rs, const Manifest& m) {
    SnapshotSummary s;
    s.ref = rs.ref;
    for (const auto& f : m.files) {
      s.files.push_back(f.filename);
      auto kind = snapshot_file_kind(f.filename);
      if (kind && is_index_kind(*kind)) s.logical_size += f.size;
    }
    s.is_protected = rs.files.count(std::string(kProtectedName)) > 0;
    s.encrypted = m.encrypted();
    s.verify_state = m.verify_state();
    inv_.logical_bytes += s.logical_size;
    groups_[rs.ref.group].snapshots.push_back(std::move(s));
  }

  Status count_chunks() {
    return remote::list_remote(requests_, remote_, remote::kChunksDir, true,
                               [&](std::string_view rel, const s3::ObjectInfo& o) {
                                 if (!remote::parse_chunk_key(rel.substr(remote::kChunksDir.size()))) return;
                                 ++inv_.unique_chunks;
                                 inv_.unique_chunk_bytes += o.size;
                               });
  }

  void finish() {
    inv_.namespaces.assign(namespaces_.begin(), namespaces_.end());
    for (auto& [ref, g] : groups_) {
      std::sort(g.snapshots.begin(), g.snapshots.end(),
                [](const SnapshotSummary& a, const SnapshotSummary& b) { return a.ref.time < b.ref.time; });
      inv_.snapshots += g.snapshots.size();
      inv_.groups.push_back(std::move(g));
    }
  }

  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  const InventoryOptions& options_;
  Inventory inv_;
  std::set<Namespace> namespaces_;
  std::map<GroupRef, GroupSummary> groups_;
  std::vector<std::pair<GroupRef, std::string>> owners_;  // groups with an owner file, its version
  std::vector<remote::SnapshotToRead> complete_;
};

}  // namespace

Result<Inventory> remote_inventory(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   const InventoryOptions& options) {
  return RemoteInventory(requests, remote, options).run();
}

}  // namespace pbs::check
