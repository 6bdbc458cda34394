#include "gc/gc_versions.h"

#include <algorithm>
#include <map>
#include <set>

#include "remote/key_layout.h"
#include "remote/listing.h"
#include "remote/references.h"

namespace pbs::gc {

using namespace datastore;

namespace {

// The versions of one key, newest first, as the listing hands them over.
struct KeyVersions {
  std::string rel;
  std::vector<s3::ObjectInfo> versions;
};

// Groups a versions listing by key, one group per listing stream, and hands each finished key on.
class Grouper {
 public:
  Grouper(std::size_t listings, std::function<void(const KeyVersions&)> done)
      : open_(listings), done_(std::move(done)) {}
  void add(std::size_t listing, std::string_view rel, const s3::ObjectInfo& o) {
    KeyVersions& k = open_[listing];
    if (k.rel != rel) {
      flush(listing);
      k.rel = std::string(rel);
    }
    k.versions.push_back(o);
  }
  void finish() {
    for (std::size_t i = 0; i < open_.size(); ++i) flush(i);
  }

 private:
  void flush(std::size_t listing) {
    KeyVersions& k = open_[listing];
    if (!k.versions.empty()) done_(k);
    k.versions.clear();
    k.rel.clear();
  }
  std::vector<KeyVersions> open_;
  std::function<void(const KeyVersions&)> done_;
};

void doom(DoomedVersions& out, const s3::ObjectInfo& v) {
  out.keys.push_back(v.key);
  out.version_ids.push_back(v.version_id);
  out.newest = std::max(out.newest, v.last_modified);
}

}  // namespace

std::vector<std::string> incomplete_snapshot_keys(const remote::RemoteCatalog& catalog, std::int64_t cutoff,
                                                 GcSummary& summary) {
  std::vector<std::string> keys;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (rs.complete()) continue;
    std::int64_t newest = 0;
    for (const auto& [name, f] : rs.files) newest = std::max(newest, f.mtime);
    if (newest > cutoff) {
      ++summary.incomplete_kept;
      continue;
    }
    ++summary.incomplete_removed;
    for (const auto& [name, f] : rs.files) keys.push_back(remote::snapshot_file_rel_key(ref, name));
  }
  return keys;
}

Status doom_versions(transfer::RequestInterface& requests, const remote::Remote& remote, std::int64_t cutoff,
                     GcSummary& summary, DoomedVersions& out) {
  // `.cnt/` first: the snapshots as their newest real versions say (a manifest hidden by a young
  // delete marker still references its chunks; one hidden longer than the grace goes, with every
  // version of its key).
  std::map<std::string, std::vector<s3::ObjectInfo>> content;
  remote::RemoteCatalog live;
  Grouper cnt(1, [&](const KeyVersions& k) {
    const s3::ObjectInfo& newest = k.versions.front();
    if (newest.delete_marker && newest.last_modified <= cutoff) {
      ++summary.removed_keys_purged;
      for (const auto& v : k.versions) doom(out, v);
      return;
    }
    auto real = std::find_if(k.versions.begin(), k.versions.end(), [](const s3::ObjectInfo& v) { return !v.delete_marker; });
    if (real == k.versions.end()) return;  // markers only, young: gone next time
    live.add(k.rel, *real);
    content.emplace(k.rel, k.versions);
  });
  PBS_TRY(remote::list_remote_versions(requests, remote, remote::kContentDir, false,
                               [&](std::size_t i, std::string_view rel, const s3::ObjectInfo& o) { cnt.add(i, rel, o); }));
  cnt.finish();
  for (const auto& rel : incomplete_snapshot_keys(live, cutoff, summary)) {
    auto it = content.find(rel);
    if (it == content.end()) continue;
    for (const auto& v : it->second) doom(out, v);
  }
  DigestSet referenced;
  PBS_TRY(remote::collect_referenced(requests, remote, live, referenced, summary.snapshots_referencing));
  summary.chunks_referenced = referenced.size();

  Grouper chunks(16, [&](const KeyVersions& k) {
    auto d = remote::parse_chunk_key(std::string_view(k.rel).substr(remote::kChunksDir.size()));
    if (!d) return;
    const s3::ObjectInfo& newest = k.versions.front();
    if (!newest.delete_marker) ++summary.chunks_listed;
    if (referenced.contains(*d)) {
      if (newest.delete_marker) {
        ++summary.chunks_hidden;
        return;
      }
      for (std::size_t i = 1; i < k.versions.size(); ++i) {
        const auto& v = k.versions[i];
        if (v.last_modified > cutoff || (!v.delete_marker && v.etag != newest.etag)) continue;
        ++summary.versions_redundant;
        doom(out, v);
      }
      return;
    }
    // Inclusive: Last-Modified has one-second resolution.
    if (newest.last_modified > cutoff) {
      ++summary.chunks_young;
      return;
    }
    if (!newest.delete_marker) ++summary.chunks_deleted;
    for (const auto& v : k.versions) {
      summary.bytes_freed += v.size;
      doom(out, v);
    }
  });
  PBS_TRY(remote::list_remote_versions(requests, remote, remote::kChunksDir, true,
                               [&](std::size_t i, std::string_view rel, const s3::ObjectInfo& o) { chunks.add(i, rel, o); }));
  chunks.finish();
  return {};
}

}  // namespace pbs::gc
