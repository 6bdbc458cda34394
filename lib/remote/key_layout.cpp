#include "remote/key_layout.h"

#include <vector>

#include "util/hex.h"
#include "util/text.h"

namespace pbs::remote {

using namespace datastore;

std::string chunk_rel_key(const Digest& digest) {
  std::string hex = digest_hex(digest);
  return std::string(kChunksDir) + hex.substr(0, 4) + "/" + hex;
}

std::string content_rel_key(std::string_view datastore_rel) {
  return std::string(kContentDir) + std::string(datastore_rel);
}

std::string namespace_marker_rel_key(const Namespace& ns) {
  return content_rel_key(ns.rel_dir() + "/" + std::string(kNamespaceMarker));
}

std::string snapshot_file_rel_key(const SnapshotRef& snapshot, std::string_view file) {
  return content_rel_key(snapshot.rel_dir() + "/" + std::string(file));
}

std::string group_file_rel_key(const GroupRef& group, std::string_view file) {
  return content_rel_key(group.rel_dir() + "/" + std::string(file));
}

Result<ContentKey> parse_content_key(std::string_view rel) {
  auto bad = [&](const std::string& why) {
    return Error(Errc::corrupt, "remote key '.cnt/" + std::string(rel) + "': " + why);
  };
  std::vector<std::string_view> parts = split(rel, '/');
  for (auto p : parts) {
    if (p.empty()) return bad("empty path component");
    if (p == "." || p == "..") return bad("'.' or '..' component");
  }
  ContentKey key;
  std::size_t i = 0;
  while (i < parts.size() && parts[i] == "ns") {
    if (i + 1 >= parts.size()) return bad("'ns' without a namespace name");
    auto child = key.ns.child(parts[i + 1]);
    if (!child) return bad(child.error().message());
    key.ns = std::move(*child);
    i += 2;
  }
  if (i + 1 == parts.size() && parts[i] == kNamespaceMarker) {
    if (key.ns.is_root()) return bad("namespace marker of the root namespace");
    key.kind = ContentKey::Kind::namespace_marker;
    return key;
  }
  if (i + 2 > parts.size()) return bad("not a group, snapshot or namespace marker");
  auto type = parse_backup_type(parts[i]);
  if (!type) return bad("'" + std::string(parts[i]) + "' is not vm, ct or host");
  if (!is_safe_id(parts[i + 1])) return bad("'" + std::string(parts[i + 1]) + "' is not a valid backup id");
  key.group = GroupRef{key.ns, *type, std::string(parts[i + 1])};
  i += 2;
  if (i + 1 == parts.size()) {
    if (parts[i] != kOwnerName && parts[i] != kNotesName) {
      return bad("'" + std::string(parts[i]) + "' is neither owner nor notes");
    }
    key.kind = ContentKey::Kind::group_file;
    key.file = std::string(parts[i]);
    return key;
  }
  if (i + 2 != parts.size()) return bad("too many path components");
  auto time = parse_backup_time(parts[i]);
  if (!time) return bad(time.error().message());
  auto kind = snapshot_file_kind(parts[i + 1]);
  if (!kind || (parts[i + 1].starts_with('.') && parts[i + 1] != kProtectedName)) {
    return bad("'" + std::string(parts[i + 1]) + "' is not a snapshot file name");
  }
  key.kind = ContentKey::Kind::snapshot_file;
  key.snapshot = SnapshotRef{key.group, *time};
  key.file = std::string(parts[i + 1]);
  return key;
}

std::optional<Digest> parse_chunk_key(std::string_view rel) {
  if (rel.size() != 4 + 1 + 64 || rel[4] != '/') return std::nullopt;
  auto name = rel.substr(5);
  if (!is_chunk_file_name(name) || name.substr(0, 4) != rel.substr(0, 4)) return std::nullopt;
  Digest d{};
  if (!from_hex(name, d)) return std::nullopt;
  return d;
}

}  // namespace pbs::remote
