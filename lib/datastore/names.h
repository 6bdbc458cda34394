#pragma once
// PBS names and the rules that validate them: backup types, ids, namespaces, snapshot times,
// snapshot file names and chunk file names, as pbs-api-types defines them (BACKUP_ID_RE,
// BACKUP_NS_RE, the snapshot time format). Anything read from disk or from a bucket passes
// through here before it becomes a path.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pbs::datastore {

enum class BackupType { ct, host, vm };  // declared in byte order of their names
std::string_view type_name(BackupType type);
std::optional<BackupType> parse_backup_type(std::string_view name);

inline constexpr std::size_t kMaxNamespaceDepth = 7;
inline constexpr std::size_t kMaxNamespaceLength = 256;

// SAFE_ID and BACKUP_ID_RE: [A-Za-z0-9_][A-Za-z0-9._\-]*
bool is_safe_id(std::string_view name);

class Namespace {
 public:
  Namespace() = default;
  // "a/b/c" (or "" for the root).
  static Result<Namespace> parse(std::string_view name);

  const std::vector<std::string>& components() const { return components_; }
  std::size_t depth() const { return components_.size(); }
  bool is_root() const { return components_.empty(); }
  std::string name() const;     // "a/b/c"
  std::string rel_dir() const;  // "ns/a/ns/b/ns/c", "" for the root
  Result<Namespace> child(std::string_view component) const;
  // True when this namespace is `anchor` or below it.
  bool is_within(const Namespace& anchor) const;

  auto operator<=>(const Namespace&) const = default;

 private:
  std::vector<std::string> components_;
};

// The namespaces a command works on: --ns and the levels below it, at most --max-depth deeper.
struct NamespaceScope {
  Namespace anchor;
  std::optional<std::size_t> max_depth;
  bool contains(const Namespace& ns) const {
    return ns.is_within(anchor) && (!max_depth || ns.depth() - anchor.depth() <= *max_depth);
  }
};

struct GroupRef {
  Namespace ns;
  BackupType type = BackupType::vm;
  std::string id;

  std::string name() const;     // "vm/100"
  std::string rel_dir() const;  // "ns/a/vm/100"
  auto operator<=>(const GroupRef&) const = default;
};

struct SnapshotRef {
  GroupRef group;
  std::int64_t time = 0;

  std::string time_string() const;
  std::string name() const;     // "vm/100/2026-11-01T02:00:00Z"
  std::string rel_dir() const;  // "ns/a/vm/100/2026-11-01T02:00:00Z"
  auto operator<=>(const SnapshotRef&) const = default;
};

// Parses "group" as "type/id".
Result<GroupRef> parse_group(const Namespace& ns, std::string_view text);
// Parses "type/id/YYYY-MM-DDTHH:MM:SSZ".
Result<SnapshotRef> parse_snapshot(const Namespace& ns, std::string_view text);

// YYYY-MM-DDTHH:MM:SSZ <-> epoch seconds (UTC). Only the canonical form is accepted.
Result<std::int64_t> parse_backup_time(std::string_view text);
std::string format_backup_time(std::int64_t epoch);

enum class FileKind { fixed_index, dynamic_index, blob, protected_marker };
// The kind of a snapshot file, or nullopt for names PBS does not list
// (^(.*\.([fd]idx|blob)|\.protected)$).
std::optional<FileKind> snapshot_file_kind(std::string_view name);
inline bool is_index_kind(FileKind k) {
  return k == FileKind::fixed_index || k == FileKind::dynamic_index;
}

inline constexpr std::string_view kManifestName = "index.json.blob";
inline constexpr std::string_view kProtectedName = ".protected";
inline constexpr std::string_view kOwnerName = "owner";
inline constexpr std::string_view kNotesName = "notes";

// 64 lower-case hex digits.
bool is_chunk_file_name(std::string_view name);

}  // namespace pbs::datastore
