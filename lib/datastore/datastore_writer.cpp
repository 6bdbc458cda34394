#include "datastore/datastore_writer.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "datastore/blob.h"
#include "datastore/index_file.h"

namespace pbs::datastore {

namespace {
constexpr mode_t kRootMode = 0755;
constexpr mode_t kChunkDirMode = 0750;
constexpr mode_t kDirMode = 0755;
constexpr mode_t kFileMode = 0644;

Result<bool> is_empty_dir(const std::string& path) {
  bool empty = true;
  PBS_TRY(list_dir(path, [&](const DirEntry&) {
    empty = false;
    return false;
  }));
  return empty;
}
// The 65536 chunk directories, relative to an open descriptor of .chunks: one mkdirat (and
// fchownat as root) per directory when creating, a stat only for those that already exist.
Status make_chunk_dirs(const std::string& chunks, const std::optional<FileOwner>& owner) {
  PBS_ASSIGN(UniqueFd dir, open_file(chunks, O_RDONLY | O_DIRECTORY));
  mode_t mask = ::umask(0);
  ::umask(mask);
  char name[8];
  for (unsigned i = 0; i <= 0xffff; ++i) {
    std::snprintf(name, sizeof name, "%04x", i);
    std::string path = join_path(chunks, name);
    bool created = ::mkdirat(dir.get(), name, kChunkDirMode) == 0;
    if (!created) {
      if (errno != EEXIST) return errno_error(errno, "mkdir", path);
      struct stat st {};
      if (::fstatat(dir.get(), name, &st, 0) != 0) return errno_error(errno, "stat", path);
      if (!S_ISDIR(st.st_mode)) return Error(Errc::io, path + ": exists and is not a directory");
      bool mode_ok = (st.st_mode & 07777) == kChunkDirMode;
      bool owner_ok = !owner || (st.st_uid == owner->uid && st.st_gid == owner->gid);
      if (mode_ok && owner_ok) continue;
    }
    if ((!created || (mask & kChunkDirMode)) && ::fchmodat(dir.get(), name, kChunkDirMode, 0) != 0) {
      return errno_error(errno, "chmod", path);
    }
    if (owner && ::fchownat(dir.get(), name, owner->uid, owner->gid, 0) != 0) {
      return errno_error(errno, "chown", path);
    }
  }
  return {};
}

// A target that cannot become a directory is a mistyped argument (exit 2), said before any mkdir:
// an empty path, a dangling symbolic link, or a path below a file.
Status check_creatable(const std::string& root) {
  if (root.empty()) return Error(Errc::invalid_argument, "the datastore path is empty");
  struct stat st {};
  if (::lstat(root.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && ::stat(root.c_str(), &st) != 0) {
    char target[4096];
    auto n = ::readlink(root.c_str(), target, sizeof target - 1);
    std::string to = n > 0 ? std::string(target, std::size_t(n)) : "?";
    return Error(Errc::invalid_argument, root + ": a symbolic link to " + to + ", which does not exist");
  }
  for (auto slash = root.rfind('/'); slash != std::string::npos && slash > 0; slash = root.rfind('/', slash - 1)) {
    std::string parent = root.substr(0, slash);
    if (::stat(parent.c_str(), &st) != 0) continue;
    if (!S_ISDIR(st.st_mode)) return Error(Errc::invalid_argument, root + ": " + parent + " is not a directory");
    break;
  }
  return {};
}

}  // namespace

std::optional<FileOwner> pbs_file_owner() {
  if (::geteuid() != 0) return std::nullopt;
  passwd pw{};
  passwd* found = nullptr;
  char buf[4096];
  if (::getpwnam_r("backup", &pw, buf, sizeof buf, &found) != 0 || !found) return std::nullopt;
  return FileOwner{pw.pw_uid, pw.pw_gid};
}

Result<DatastoreWriter> DatastoreWriter::open_or_create(const std::string& root_in) {
  std::string root = root_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  PBS_TRY(check_creatable(root));
  auto owner = pbs_file_owner();
  PBS_ASSIGN(auto st, stat_path(root));
  if (st) {
    if (!st->is_dir) return Error(Errc::invalid_argument, root + ": exists and is not a directory");
    PBS_ASSIGN(auto chunks, stat_path(join_path(root, ".chunks")));
    if (!chunks) {
      PBS_ASSIGN(bool empty, is_empty_dir(root));
      if (!empty) {
        return Error(Errc::invalid_argument,
                     root + ": exists, is not empty and is not a PBS datastore (no .chunks)");
      }
    }
  } else {
    PBS_TRY(make_dirs(root, kRootMode));  // parents keep their owner
  }
  PBS_TRY(make_dir(root, kRootMode, owner));
  std::string chunks = join_path(root, ".chunks");
  PBS_TRY(make_dir(chunks, kChunkDirMode, owner));
  std::string lock = join_path(root, ".lock");
  {
    PBS_ASSIGN(UniqueFd fd, open_file(lock, O_WRONLY | O_CREAT, kFileMode));
    if (::fchmod(fd.get(), kFileMode) != 0) return errno_error(errno, "chmod", lock);
    if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0) {
      return errno_error(errno, "chown", lock);
    }
  }
  PBS_TRY(make_chunk_dirs(chunks, owner));
  PBS_ASSIGN(Datastore store, Datastore::open(root));
  return DatastoreWriter(std::move(store), owner);
}

Result<DatastoreLock> DatastoreWriter::lock_shared() const {
  std::string lock = store_.path(".lock");
  PBS_ASSIGN(UniqueFd fd, open_file(lock, O_RDWR));
  struct flock fl {};
  fl.l_type = F_RDLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd.get(), F_SETLK, &fl) != 0) {
    if (errno == EAGAIN || errno == EACCES) {
      return Error(Errc::locked, lock + ": held exclusively by another process (PBS garbage "
                                        "collection running?); try again when it has finished");
    }
    return errno_error(errno, "lock", lock);
  }
  return DatastoreLock(std::move(fd));
}

Result<bool> DatastoreWriter::has_chunk(const Digest& digest) const {
  PBS_ASSIGN(auto st, stat_path(store_.chunk_path(digest)));
  return st && st->is_regular && st->size > 0;
}

Status DatastoreWriter::write_chunk(const Digest& digest, std::span<const std::uint8_t> blob) const {
  AtomicWriteOptions opts{kFileMode, /*fsync=*/false, owner_};
  return write_file_atomic(store_.chunk_path(digest), blob, opts);
}

Status DatastoreWriter::ensure_dir(const std::string& rel) const {
  // Directories are created level by level below the root, never above it.
  std::string path = store_.root();
  std::size_t start = 0;
  while (start < rel.size()) {
    auto slash = rel.find('/', start);
    auto part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == ".." || part.starts_with('.')) {
      return Error(Errc::invalid_argument, "refusing directory name '" + part + "' in " + rel);
    }
    path = join_path(path, part);
    PBS_ASSIGN(auto st, stat_path(path));
    if (!st) {
      if (::mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST) {
        return errno_error(errno, "mkdir", path);
      }
      if (owner_ && ::chown(path.c_str(), owner_->uid, owner_->gid) != 0) {
        return errno_error(errno, "chown", path);
      }
    } else if (!st->is_dir) {
      return Error(Errc::io, path + ": exists and is not a directory");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return {};
}

Status DatastoreWriter::create_namespace(const Namespace& ns) const {
  return ensure_dir(ns.rel_dir());
}

Status DatastoreWriter::write_group_file(const GroupRef& group, std::string_view name,
                                         std::span<const std::uint8_t> bytes) const {
  if (name != kOwnerName && name != kNotesName) {
    return Error(Errc::invalid_argument, "refusing group file name '" + std::string(name) + "'");
  }
  PBS_TRY(ensure_dir(group.rel_dir()));
  std::string path = store_.path(group.rel_dir() + "/" + std::string(name));
  return write_file_atomic(path, bytes, AtomicWriteOptions{kFileMode, true, owner_});
}

Status DatastoreWriter::write_snapshot_file(const SnapshotRef& snapshot, std::string_view name,
                                            std::span<const std::uint8_t> bytes, bool synced) const {
  auto kind = snapshot_file_kind(name);
  std::string where = snapshot.name() + "/" + std::string(name);
  if (!kind || (name.starts_with('.') && name != kProtectedName)) {
    return Error(Errc::invalid_argument, "refusing snapshot file name '" + where + "'");
  }
  if (is_index_kind(*kind)) {
    auto index = parse_index(bytes);
    if (!index) return Error(index.error()).context(where);
    if (index->kind != *kind) {
      return Error(Errc::corrupt, where + ": content is not the index type its name says");
    }
  } else if (*kind == FileKind::blob) {
    auto blob = check_blob(bytes);
    if (!blob) return Error(blob.error()).context(where);
  } else if (!bytes.empty()) {
    return Error(Errc::corrupt, where + ": the protected marker must be empty");
  }
  PBS_TRY(ensure_dir(snapshot.rel_dir()));
  bool manifest = name == kManifestName;
  if (manifest && !synced) PBS_TRY(sync());  // everything it references is on disk before it exists
  std::string path = store_.path(snapshot.rel_dir() + "/" + std::string(name));
  return write_file_atomic(path, bytes, AtomicWriteOptions{kFileMode, manifest, owner_});
}

Status DatastoreWriter::sync() const { return sync_filesystem(store_.root()); }

}  // namespace pbs::datastore
