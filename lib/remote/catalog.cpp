#include "remote/catalog.h"

#include "remote/key_layout.h"

namespace pbs::remote {

void RemoteCatalog::add(std::string_view rel, const s3::ObjectInfo& object) {
  ++objects_;
  if (!rel.starts_with(kContentDir)) {
    invalid_.emplace_back(rel);
    return;
  }
  auto key = parse_content_key(rel.substr(kContentDir.size()));
  if (!key) {
    invalid_.emplace_back(rel);
    return;
  }
  RemoteFile file{object.size, object.etag, object.last_modified, object.version_id};
  switch (key->kind) {
    case ContentKey::Kind::namespace_marker:
      markers_.insert(key->ns);
      break;
    case ContentKey::Kind::group_file: {
      auto& g = groups_[key->group];
      g.ref = key->group;
      g.files[key->file] = file;
      break;
    }
    case ContentKey::Kind::snapshot_file: {
      auto& s = snapshots_[key->snapshot];
      s.ref = key->snapshot;
      s.files[key->file] = file;
      break;
    }
  }
}

const RemoteSnapshot* RemoteCatalog::snapshot(const datastore::SnapshotRef& ref) const {
  auto it = snapshots_.find(ref);
  return it == snapshots_.end() ? nullptr : &it->second;
}

const RemoteGroup* RemoteCatalog::group(const datastore::GroupRef& ref) const {
  auto it = groups_.find(ref);
  return it == groups_.end() ? nullptr : &it->second;
}

std::string describe_invalid_keys(const RemoteCatalog& catalog, const Remote& remote, std::size_t examples) {
  const auto& keys = catalog.invalid_keys();
  if (keys.empty()) return {};
  std::string out = std::to_string(keys.size()) + " object(s) under " + remote.key(kContentDir) +
                    " are not PBS names and were left alone: ";
  for (std::size_t i = 0; i < keys.size() && i < examples; ++i) {
    const std::string& k = keys[i];
    auto why = parse_content_key(std::string_view(k).substr(std::min(k.size(), kContentDir.size())));
    out += (i ? "; " : "") + remote.key(k) + " (" + (why ? std::string("not a PBS path") : why.error().message()) + ")";
  }
  if (keys.size() > examples) out += "; and " + std::to_string(keys.size() - examples) + " more";
  return out;
}

}  // namespace pbs::remote
