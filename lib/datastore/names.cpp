#include "datastore/names.h"

#include "util/calendar.h"

namespace pbs::datastore {

std::string_view type_name(BackupType type) {
  switch (type) {
    case BackupType::vm: return "vm";
    case BackupType::ct: return "ct";
    case BackupType::host: return "host";
  }
  return "?";
}

std::optional<BackupType> parse_backup_type(std::string_view name) {
  if (name == "vm") return BackupType::vm;
  if (name == "ct") return BackupType::ct;
  if (name == "host") return BackupType::host;
  return std::nullopt;
}

namespace {
bool is_alnum_or_underscore(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
}  // namespace

bool is_safe_id(std::string_view name) {
  if (name.empty() || !is_alnum_or_underscore(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!is_alnum_or_underscore(c) && c != '.' && c != '-') return false;
  }
  return true;
}

Result<Namespace> Namespace::parse(std::string_view name) {
  Namespace ns;
  if (name.empty()) return ns;
  if (name.size() > kMaxNamespaceLength) {
    return Error(Errc::invalid_argument,
                 "namespace '" + std::string(name) + "' is longer than 256 characters");
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    auto slash = name.find('/', start);
    auto part = name.substr(start, slash == std::string_view::npos ? slash : slash - start);
    auto next = ns.child(part);
    if (!next) {
      return Error(Errc::invalid_argument,
                   "namespace '" + std::string(name) + "': " + next.error().message());
    }
    ns = std::move(*next);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return ns;
}

Result<Namespace> Namespace::child(std::string_view component) const {
  if (!is_safe_id(component)) {
    return Error(Errc::invalid_argument,
                 "'" + std::string(component) + "' is not a valid namespace component");
  }
  if (components_.size() >= kMaxNamespaceDepth) {
    return Error(Errc::invalid_argument, "namespace deeper than 7 levels");
  }
  Namespace out = *this;
  out.components_.emplace_back(component);
  if (out.name().size() > kMaxNamespaceLength) {
    return Error(Errc::invalid_argument, "namespace longer than 256 characters");
  }
  return out;
}

std::string Namespace::name() const {
  std::string out;
  for (const auto& c : components_) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

std::string Namespace::rel_dir() const {
  std::string out;
  for (const auto& c : components_) {
    if (!out.empty()) out += '/';
    out += "ns/";
    out += c;
  }
  return out;
}

bool Namespace::is_within(const Namespace& anchor) const {
  if (anchor.components_.size() > components_.size()) return false;
  for (std::size_t i = 0; i < anchor.components_.size(); ++i) {
    if (anchor.components_[i] != components_[i]) return false;
  }
  return true;
}

std::string GroupRef::name() const { return std::string(type_name(type)) + "/" + id; }

std::string GroupRef::rel_dir() const {
  std::string dir = ns.rel_dir();
  if (!dir.empty()) dir += '/';
  return dir + name();
}

std::string SnapshotRef::time_string() const { return format_backup_time(time); }
std::string SnapshotRef::name() const { return group.name() + "/" + time_string(); }
std::string SnapshotRef::rel_dir() const { return group.rel_dir() + "/" + time_string(); }

Result<GroupRef> parse_group(const Namespace& ns, std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Error(Errc::invalid_argument,
                 "'" + std::string(text) + "' is not a backup group (expected TYPE/ID, e.g. vm/100)");
  }
  auto type = parse_backup_type(text.substr(0, slash));
  auto id = text.substr(slash + 1);
  if (!type) {
    return Error(Errc::invalid_argument, "'" + std::string(text.substr(0, slash)) +
                                             "' is not a backup type (vm, ct or host)");
  }
  if (!is_safe_id(id)) {
    return Error(Errc::invalid_argument, "'" + std::string(id) + "' is not a valid backup id");
  }
  return GroupRef{ns, *type, std::string(id)};
}

Result<SnapshotRef> parse_snapshot(const Namespace& ns, std::string_view text) {
  auto slash = text.rfind('/');
  if (slash == std::string_view::npos) {
    return Error(Errc::invalid_argument,
                 "'" + std::string(text) +
                     "' is not a snapshot (expected TYPE/ID/TIME, e.g. vm/100/2026-11-01T02:00:00Z)");
  }
  PBS_ASSIGN(GroupRef group, parse_group(ns, text.substr(0, slash)));
  PBS_ASSIGN(std::int64_t time, parse_backup_time(text.substr(slash + 1)));
  return SnapshotRef{std::move(group), time};
}

Result<std::int64_t> parse_backup_time(std::string_view text) {
  auto epoch = parse_rfc3339(text);
  // Only the canonical form names a snapshot: no fraction, offset, leap second or lower case.
  if (!epoch || format_backup_time(*epoch) != text) {
    return Error(Errc::invalid_argument,
                 "'" + std::string(text) + "' is not a snapshot time (YYYY-MM-DDTHH:MM:SSZ)");
  }
  return *epoch;
}

std::string format_backup_time(std::int64_t epoch) { return format_rfc3339_utc(epoch); }

std::optional<FileKind> snapshot_file_kind(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  if (name == kProtectedName) return FileKind::protected_marker;
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".fidx")) return FileKind::fixed_index;
  if (ends(".didx")) return FileKind::dynamic_index;
  if (ends(".blob")) return FileKind::blob;
  return std::nullopt;
}

bool is_chunk_file_name(std::string_view name) {
  if (name.size() != 64) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace pbs::datastore
