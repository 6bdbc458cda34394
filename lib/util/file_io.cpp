#include "util/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>

namespace pbs {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<UniqueFd> open_file(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return errno_error(errno, "open", path);
  return UniqueFd(fd);
}

Status pread_exact(int fd, std::span<std::uint8_t> buf, std::uint64_t offset,
                   std::string_view path) {
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "read", path);
    }
    if (n == 0) return Error(Errc::corrupt, std::string(path) + ": file ended early (truncated?)");
    done += std::size_t(n);
  }
  return {};
}

Status write_all(int fd, std::span<const std::uint8_t> data, std::string_view path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "write", path);
    }
    done += std::size_t(n);
  }
  return {};
}

Status read_file_into(const std::string& path, std::vector<std::uint8_t>& out,
                      std::uint64_t max_size) {
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_RDONLY));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "stat", path);
  if (!S_ISREG(st.st_mode)) return Error(Errc::corrupt, path + ": not a regular file");
  if (std::uint64_t(st.st_size) > max_size) {
    return Error(Errc::corrupt, path + ": file is " + std::to_string(st.st_size) +
                                    " bytes, larger than the limit of " +
                                    std::to_string(max_size));
  }
  out.resize(std::size_t(st.st_size));
  PBS_TRY(pread_exact(fd.get(), out, 0, path));
  return {};
}

Result<std::vector<std::uint8_t>> read_file(const std::string& path, std::uint64_t max_size) {
  std::vector<std::uint8_t> out;
  PBS_TRY(read_file_into(path, out, max_size));
  return out;
}

std::string join_path(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out += '/';
  out += b;
  return out;
}

namespace {
std::pair<std::string, std::string> split_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {path.substr(0, slash == 0 ? 1 : slash), path.substr(slash + 1)};
}

Status fsync_dir(const std::string& dir) {
  PBS_ASSIGN(UniqueFd fd, open_file(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) != 0) return errno_error(errno, "fsync", dir);
  return {};
}
}  // namespace

Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> data,
                         const AtomicWriteOptions& options) {
  auto [dir, name] = split_dir(path);
  std::string tmp = join_path(dir, "." + name + ".tmp_XXXXXX");
  int raw = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (raw < 0) return errno_error(errno, "create temp file", tmp);
  UniqueFd fd(raw);
  auto fail = [&](Error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  // Errors name the file being written, not its short-lived temp name.
  if (auto st = write_all(fd.get(), data, path); !st) return fail(std::move(st).error());
  if (::fchmod(fd.get(), options.mode) != 0) return fail(errno_error(errno, "chmod", path));
  if (options.owner && ::fchown(fd.get(), options.owner->uid, options.owner->gid) != 0) {
    return fail(errno_error(errno, "chown", path));
  }
  if (options.fsync && ::fsync(fd.get()) != 0) return fail(errno_error(errno, "fsync", path));
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno_error(errno, "rename", path));
  if (options.fsync) PBS_TRY(fsync_dir(dir));
  return {};
}

Status make_dir(const std::string& path, mode_t mode, const std::optional<FileOwner>& owner) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return errno_error(errno, "mkdir", path);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error(errno, "stat", path);
  if (!S_ISDIR(st.st_mode)) return Error(Errc::io, path + ": exists and is not a directory");
  if ((st.st_mode & 07777) != mode && ::chmod(path.c_str(), mode) != 0) {
    return errno_error(errno, "chmod", path);
  }
  if (owner && (st.st_uid != owner->uid || st.st_gid != owner->gid) &&
      ::chown(path.c_str(), owner->uid, owner->gid) != 0) {
    return errno_error(errno, "chown", path);
  }
  return {};
}

Status make_dirs(const std::string& path, mode_t mode, const std::optional<FileOwner>& owner) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return Error(Errc::io, path + ": exists and is not a directory");
  }
  auto [parent, name] = split_dir(path);
  if (parent != path && parent != "/" && parent != ".") PBS_TRY(make_dirs(parent, mode, owner));
  return make_dir(path, mode, owner);
}

Status list_dir(const std::string& path, const std::function<bool(const DirEntry&)>& visit) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
  if (!dir) return errno_error(errno, "opendir", path);
  for (;;) {
    errno = 0;
    dirent* ent = ::readdir(dir.get());
    if (!ent) {
      if (errno != 0) return errno_error(errno, "readdir", path);
      return {};
    }
    std::string_view name(ent->d_name);
    if (name == "." || name == "..") continue;
    EntryType type = EntryType::other;
    unsigned char d_type = ent->d_type;
    if (d_type == DT_UNKNOWN || d_type == DT_LNK) {
      // Some filesystems do not fill d_type; symlinks are followed as PBS's std::fs would.
      struct stat st {};
      if (::fstatat(dirfd(dir.get()), ent->d_name, &st, 0) == 0) {
        d_type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
      }
    }
    if (d_type == DT_DIR) type = EntryType::directory;
    if (d_type == DT_REG) type = EntryType::file;
    if (!visit(DirEntry{name, type})) return {};
  }
}

Result<std::optional<FileStat>> stat_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileStat>{};
    return errno_error(errno, "stat", path);
  }
  return std::optional<FileStat>(FileStat{std::uint64_t(st.st_size), st.st_mode,
                                          S_ISDIR(st.st_mode), S_ISREG(st.st_mode),
                                          std::int64_t(st.st_mtime)});
}

Status sync_filesystem(const std::string& path) {
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_RDONLY | O_DIRECTORY));
  if (::syncfs(fd.get()) != 0) return errno_error(errno, "syncfs", path);
  return {};
}

std::optional<std::string> readable_by_others_warning(const std::string& path, std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !(st.st_mode & 077)) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
  return path + " holds " + std::string(what) + " and is readable by group or others (mode " + mode + "); run: chmod 600 " + path;
}

namespace {

// A directory whose lock can be taken belongs to no live process; it must also be a minute old,
// so that one made this instant, not locked yet, is left to its owner.
void sweep_dead_scratch(const std::string& base, std::string_view name) {
  std::error_code ec;
  std::string lead = std::string(name) + ".";
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    std::string file = entry.path().filename().string();
    if (!file.starts_with(lead) || file.size() != lead.size() + 6 || !entry.is_directory(ec)) continue;
    std::string dir = entry.path().string();
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || std::time(nullptr) - st.st_mtime < 60) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) std::filesystem::remove_all(dir, ec);
  }
}

}  // namespace

Result<ScratchDir> ScratchDir::make(std::string_view name) {
  const char* env = std::getenv("TMPDIR");
  std::string base = env && *env ? env : "/var/tmp";
  sweep_dead_scratch(base, name);
  std::string pattern = join_path(base, std::string(name) + ".XXXXXX");
  if (!::mkdtemp(pattern.data())) return errno_error(errno, "create a temporary directory", pattern);
  UniqueFd owner(::open(pattern.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!owner || ::flock(owner.get(), LOCK_EX | LOCK_NB) != 0) {
    Error e = errno_error(errno, "lock", pattern);
    std::error_code ignored;
    std::filesystem::remove_all(pattern, ignored);
    return e;
  }
  return ScratchDir(std::move(pattern), std::move(owner));
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace pbs
