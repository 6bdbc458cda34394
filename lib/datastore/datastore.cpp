#include "datastore/datastore.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "util/file_io.h"
#include "util/hex.h"

namespace pbs::datastore {

std::string chunk_rel_path(const Digest& digest) {
  std::string hex = digest_hex(digest);
  return ".chunks/" + hex.substr(0, 4) + "/" + hex;
}

Result<Datastore> Datastore::open(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  PBS_ASSIGN(auto st, stat_path(root));
  if (!st) return Error(Errc::not_found, root + ": no such datastore directory");
  if (!st->is_dir) return Error(Errc::invalid_argument, root + ": not a directory");
  PBS_ASSIGN(auto chunks, stat_path(join_path(root, ".chunks")));
  if (!chunks || !chunks->is_dir) {
    return Error(Errc::invalid_argument,
                 root + ": not a PBS datastore (it has no .chunks directory)");
  }
  return Datastore(std::move(root));
}

Datastore Datastore::view(std::string root, const Datastore& chunks, std::shared_ptr<const DigestMap<Digest>> aliases) {
  Datastore d(std::move(root));
  d.chunk_root_ = chunks.chunk_root_;
  d.aliases_ = std::move(aliases);
  return d;
}

std::string Datastore::chunk_path(const Digest& digest) const {
  const Digest* alias = aliases_ ? aliases_->find(digest) : nullptr;
  return join_path(chunk_root_, chunk_rel_path(alias ? *alias : digest));
}

std::string Datastore::name() const {
  auto slash = root_.rfind('/');
  return slash == std::string::npos ? root_ : root_.substr(slash + 1);
}

std::string Datastore::path(std::string_view rel) const {
  return rel.empty() ? root_ : join_path(root_, rel);
}

Result<std::vector<Namespace>> Datastore::namespaces(const Namespace& anchor,
                                                     std::optional<std::size_t> max_depth) const {
  std::vector<Namespace> out;
  PBS_ASSIGN(auto st, stat_path(path(anchor.rel_dir())));
  if (!st || !st->is_dir) {
    return Error(Errc::not_found, root_ + ": namespace '" + anchor.name() + "' does not exist");
  }
  // Depth-first with sorted children gives parents before children in a stable order.
  std::vector<Namespace> stack{anchor};
  while (!stack.empty()) {
    Namespace ns = std::move(stack.back());
    stack.pop_back();
    out.push_back(ns);
    if (max_depth && ns.depth() - anchor.depth() >= *max_depth) continue;
    std::string dir = path(ns.rel_dir().empty() ? "ns" : ns.rel_dir() + "/ns");
    PBS_ASSIGN(auto ns_dir, stat_path(dir));
    if (!ns_dir || !ns_dir->is_dir) continue;
    std::vector<std::string> names;
    PBS_TRY(list_dir(dir, [&](const DirEntry& e) {
      // Hidden or invalid names are not namespaces PBS could use; temp dirs look like this.
      if (e.type == EntryType::directory && is_safe_id(e.name)) names.emplace_back(e.name);
      return true;
    }));
    std::sort(names.rbegin(), names.rend());  // reversed: the stack pops the smallest first
    for (const auto& n : names) {
      auto child = ns.child(n);
      if (child) stack.push_back(std::move(*child));
    }
  }
  return out;
}

Result<std::vector<GroupRef>> Datastore::groups(const Namespace& ns) const {
  std::vector<GroupRef> out;
  for (BackupType type : {BackupType::ct, BackupType::host, BackupType::vm}) {
    std::string dir = path(ns.rel_dir().empty() ? std::string(type_name(type))
                                                 : ns.rel_dir() + "/" + std::string(type_name(type)));
    PBS_ASSIGN(auto st, stat_path(dir));
    if (!st || !st->is_dir) continue;
    std::vector<std::string> ids;
    PBS_TRY(list_dir(dir, [&](const DirEntry& e) {
      if (e.type == EntryType::directory && is_safe_id(e.name)) ids.emplace_back(e.name);
      return true;
    }));
    std::sort(ids.begin(), ids.end());
    for (auto& id : ids) out.push_back(GroupRef{ns, type, std::move(id)});
  }
  return out;
}

Result<std::vector<SnapshotInfo>> Datastore::snapshots(const GroupRef& group) const {
  std::vector<SnapshotInfo> out;
  std::string gdir = path(group.rel_dir());
  std::vector<std::int64_t> times;
  PBS_TRY(list_dir(gdir, [&](const DirEntry& e) {
    if (e.type != EntryType::directory) return true;
    if (auto t = parse_backup_time(e.name)) times.push_back(*t);
    return true;
  }));
  std::sort(times.begin(), times.end());
  for (std::int64_t t : times) {
    SnapshotInfo info;
    info.ref = SnapshotRef{group, t};
    std::string sdir = join_path(gdir, info.ref.time_string());
    auto listed = list_dir(sdir, [&](const DirEntry& e) {
      if (e.type == EntryType::file && snapshot_file_kind(e.name)) info.files.emplace_back(e.name);
      return true;
    });
    if (!listed) {
      if (listed.error().code() == Errc::not_found) continue;  // pruned while we looked
      return std::move(listed).error();
    }
    std::sort(info.files.begin(), info.files.end());
    info.finished = std::binary_search(info.files.begin(), info.files.end(), kManifestName);
    info.is_protected = std::binary_search(info.files.begin(), info.files.end(), kProtectedName);
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::optional<std::string>> Datastore::owner(const GroupRef& group) const {
  std::string p = path(group.rel_dir() + "/owner");
  auto bytes = read_file(p, 4096);
  if (!bytes) {
    if (bytes.error().code() == Errc::not_found) return std::optional<std::string>{};
    return std::move(bytes).error();
  }
  std::string text(bytes->begin(), bytes->end());
  auto nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\t')) {
    text.pop_back();
  }
  return std::optional<std::string>(std::move(text));
}

Status Datastore::walk(const Namespace& anchor, std::optional<std::size_t> max_depth,
                       const WalkVisitor& visitor) const {
  PBS_ASSIGN(auto all, namespaces(anchor, max_depth));
  for (const auto& ns : all) {
    if (visitor.on_namespace) PBS_TRY(visitor.on_namespace(ns));
    if (!visitor.on_group) continue;
    PBS_ASSIGN(auto groups_in_ns, groups(ns));
    for (const auto& group : groups_in_ns) {
      PBS_ASSIGN(auto snaps, snapshots(group));
      PBS_TRY(visitor.on_group(group, std::move(snaps)));
    }
  }
  return {};
}

Status Datastore::read_snapshot_file(const SnapshotRef& snapshot, std::string_view name,
                                     std::vector<std::uint8_t>& out) const {
  std::string rel = snapshot.rel_dir() + "/" + std::string(name);
  // Index files of a multi-TiB disk stay far below this; anything larger is not a PBS file.
  return read_file_into(path(rel), out, std::uint64_t(1) << 32);
}

Result<Manifest> Datastore::read_manifest(const SnapshotRef& snapshot) const {
  std::vector<std::uint8_t> bytes;
  std::string where = path(snapshot.rel_dir() + "/" + std::string(kManifestName));
  PBS_TRY(read_snapshot_file(snapshot, kManifestName, bytes));
  auto manifest = parse_manifest_blob(bytes);
  if (!manifest) return Error(manifest.error()).context(where);
  if (manifest->type != snapshot.group.type || manifest->id != snapshot.group.id ||
      manifest->time != snapshot.time) {
    return Error(Errc::corrupt, where + ": manifest names snapshot " +
                                    std::string(type_name(manifest->type)) + "/" + manifest->id +
                                    "/" + format_backup_time(manifest->time) +
                                    ", not the directory it is in");
  }
  return manifest;
}

Result<IndexFile> Datastore::read_index(const SnapshotRef& snapshot, std::string_view name) const {
  std::vector<std::uint8_t> bytes;
  PBS_TRY(read_snapshot_file(snapshot, name, bytes));
  auto index = parse_index(bytes);
  if (!index) return Error(index.error()).context(path(snapshot.rel_dir() + "/" + std::string(name)));
  return index;
}

ChunkSizes::ChunkSizes(const Datastore& store)
    : store_(store), dir_(::open(join_path(store.chunk_root(), ".chunks").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {}

std::optional<std::uint64_t> ChunkSizes::size(const Digest& digest) const {
  struct stat st {};
  if (store_.aliased(digest)) {
    return ::stat(store_.chunk_path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode) ? std::optional(std::uint64_t(st.st_size))
                                                                                    : std::nullopt;
  }
  std::string hex = digest_hex(digest);
  int rc = dir_ ? ::fstatat(dir_.get(), (hex.substr(0, 4) + "/" + hex).c_str(), &st, 0)
                : ::stat(store_.chunk_path(digest).c_str(), &st);
  if (rc != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return std::uint64_t(st.st_size);
}

}  // namespace pbs::datastore
