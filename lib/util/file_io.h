#pragma once
// The local-disk edge of the program: RAII file descriptors, whole-file reads, atomic writes,
// exact-mode directories and directory listing. Errors name the path and the operation.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pbs {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct FileOwner {
  uid_t uid;
  gid_t gid;
};

Result<UniqueFd> open_file(const std::string& path, int flags, mode_t mode = 0);

// Reads a whole file; refuses files larger than max_size (a corrupt or hostile size field
// must not make us allocate gigabytes).
Result<std::vector<std::uint8_t>> read_file(const std::string& path,
                                            std::uint64_t max_size = std::uint64_t(1) << 30);
// Reads into `out`, reusing its capacity.
Status read_file_into(const std::string& path, std::vector<std::uint8_t>& out,
                      std::uint64_t max_size = std::uint64_t(1) << 30);

// Reads exactly buf.size() bytes at offset.
Status pread_exact(int fd, std::span<std::uint8_t> buf, std::uint64_t offset,
                   std::string_view path);
Status write_all(int fd, std::span<const std::uint8_t> data, std::string_view path);

struct AtomicWriteOptions {
  mode_t mode = 0644;
  bool fsync = true;
  std::optional<FileOwner> owner;
};

// Writes to a hidden temp file beside `path` (".<name>.tmp_XXXXXX": PBS ignores hidden and
// non-index names), then renames it into place, so readers see the old file or the new one.
Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> data,
                         const AtomicWriteOptions& options = {});

// Creates the directory if absent and sets exactly `mode` (umask must not change it).
Status make_dir(const std::string& path, mode_t mode, const std::optional<FileOwner>& owner = {});
// Like mkdir -p, each created level with `mode`.
Status make_dirs(const std::string& path, mode_t mode, const std::optional<FileOwner>& owner = {});

enum class EntryType { file, directory, other };
struct DirEntry {
  std::string_view name;
  EntryType type;
};
// Calls `visit` for every entry except "." and ".." in readdir order. Stops early and returns
// false from the callback to end the listing.
Status list_dir(const std::string& path, const std::function<bool(const DirEntry&)>& visit);

// stat(): nullopt when the path does not exist.
struct FileStat {
  std::uint64_t size;
  mode_t mode;
  bool is_dir;
  bool is_regular;
  std::int64_t mtime;
};
Result<std::optional<FileStat>> stat_path(const std::string& path);

// Flushes the filesystem holding `path` (one syncfs instead of an fsync per chunk).
Status sync_filesystem(const std::string& path);

std::string join_path(std::string_view a, std::string_view b);

// "PATH holds WHAT and is readable by group or others (mode 0644); run: chmod 600 PATH", or
// nothing when it is not (or cannot be stat'ed): the warning every secret-holding file gets.
std::optional<std::string> readable_by_others_warning(const std::string& path, std::string_view what);

// A private (0700) directory made under $TMPDIR (else /var/tmp: it may be large), removed with
// everything in it when the owner goes away.
class ScratchDir {
 public:
  // Also removes the `name.*` directories that dead runs left in the same place (a kill -9 or
  // the OOM killer runs no destructor): each is locked (flock) by its owner while it lives.
  static Result<ScratchDir> make(std::string_view name);
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)), owner_(std::move(o.owner_)) { o.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ScratchDir(const ScratchDir&) = delete;
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  ScratchDir(std::string path, UniqueFd owner) : path_(std::move(path)), owner_(std::move(owner)) {}
  std::string path_;
  UniqueFd owner_;  // the directory itself, locked for its life
};

}  // namespace pbs
