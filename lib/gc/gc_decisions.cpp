#include "gc/gc_decisions.h"

#include <algorithm>
#include <map>

#include "datastore/digest_set.h"
#include "remote/key_history.h"
#include "remote/key_layout.h"
#include "remote/references.h"

namespace pbs::gc {

using namespace datastore;

namespace {

void doom(Doomed& out, const s3::ObjectInfo& v) {
  out.keys.push_back(v.key);
  out.version_ids.push_back(v.version_id);
  out.newest = std::max(out.newest, v.last_modified);
}

// `.cnt/`: keys hidden long enough go with every version; the newest real version of the others
// makes the catalog that says what is referenced; incomplete snapshots past the grace go.
Status decide_content(transfer::RequestInterface& requests, const remote::Remote& remote, std::int64_t cutoff,
                      bool versioned, GcSummary& summary, Doomed& out, remote::RemoteCatalog& live) {
  std::map<std::string, std::vector<s3::ObjectInfo>> content;
  PBS_TRY(remote::list_key_histories(requests, remote, remote::kContentDir, false, versioned,
                                     [&](const remote::KeyHistory& k) {
    const s3::ObjectInfo& newest = k.newest();
    if (newest.delete_marker && newest.last_modified <= cutoff) {
      ++summary.removed_keys_purged;
      for (const auto& v : k.versions) doom(out, v);
      return;
    }
    auto real = std::find_if(k.versions.begin(), k.versions.end(), [](const s3::ObjectInfo& v) { return !v.delete_marker; });
    if (real == k.versions.end()) return;  // markers only, young: gone next time
    live.add(k.rel, *real);
    if (versioned) content.emplace(k.rel, k.versions);  // a plain key's one version is in `live`
  }));
  for (const auto& rel : incomplete_snapshot_keys(live, cutoff, summary)) {
    auto it = content.find(rel);
    if (it != content.end()) {
      for (const auto& v : it->second) doom(out, v);
    } else {
      s3::ObjectInfo only;
      only.key = remote.key(rel);
      doom(out, only);
    }
  }
  return {};
}

void decide_chunk(const remote::KeyHistory& k, const DigestSet& referenced, std::int64_t cutoff,
                  const MinStorage& minimum, GcSummary& summary, Doomed& out) {
  auto d = remote::parse_chunk_key(std::string_view(k.rel).substr(remote::kChunksDir.size()));
  if (!d) return;
  const s3::ObjectInfo& newest = k.newest();
  if (!newest.delete_marker) ++summary.chunks_listed;
  if (referenced.contains(*d)) {
    if (newest.delete_marker) {
      ++summary.chunks_hidden;
      return;
    }
    for (std::size_t i = 1; i < k.versions.size(); ++i) {
      const auto& v = k.versions[i];
      if (v.last_modified > cutoff || (!v.delete_marker && v.etag != newest.etag)) continue;
      if (!v.delete_marker && minimum.holds(v.storage_class, v.last_modified)) continue;
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
  bool held = std::any_of(k.versions.begin(), k.versions.end(), [&](const s3::ObjectInfo& v) {
    return !v.delete_marker && minimum.holds(v.storage_class, v.last_modified);
  });
  if (held) {
    ++summary.chunks_min_storage;
    for (const auto& v : k.versions) {
      summary.bytes_min_storage += v.size;
      if (v.delete_marker) continue;
      double left = minimum.days_left(v.storage_class, v.last_modified);
      summary.byte_days_min_storage[v.storage_class.empty() ? "STANDARD" : v.storage_class] += double(v.size) * left;
    }
    return;
  }
  if (!newest.delete_marker) ++summary.chunks_deleted;
  for (const auto& v : k.versions) {
    summary.bytes_freed += v.size;
    doom(out, v);
  }
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

Status decide_deletions(transfer::RequestInterface& requests, const remote::Remote& remote, std::int64_t cutoff,
                        const MinStorage& minimum, bool versioned, GcSummary& summary, Doomed& out) {
  remote::RemoteCatalog live;
  PBS_TRY(decide_content(requests, remote, cutoff, versioned, summary, out, live));
  DigestSet referenced;
  PBS_TRY(remote::collect_referenced(requests, remote, live, referenced, summary.snapshots_referencing));
  summary.chunks_referenced = referenced.size();
  return remote::list_key_histories(
      requests, remote, remote::kChunksDir, true, versioned,
      [&](const remote::KeyHistory& k) { decide_chunk(k, referenced, cutoff, minimum, summary, out); });
}

}  // namespace pbs::gc
