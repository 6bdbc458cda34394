#include "extract/image_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace pbs::extract {

namespace {

constexpr std::size_t kZeroPiece = 1 << 20;

const std::vector<std::uint8_t>& zero_piece() {
  static const std::vector<std::uint8_t> zeros(kZeroPiece, 0);
  return zeros;
}

Status pwrite_all(int fd, std::span<const std::uint8_t> data, std::uint64_t offset, const std::string& where) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(errno, "write", where);
    data = data.subspan(std::size_t(n));
    offset += std::uint64_t(n);
  }
  return {};
}

Result<ImageOutput> refuse(const std::string& output, const std::string& why) {
  return Error(Errc::invalid_argument, output + ": " + why);
}

}  // namespace

std::string part_name(const std::string& output) { return output + ".part"; }

Result<ImageOutput> ImageOutput::open(const std::string& output, std::uint64_t size, const OutputOptions& options) {
  if (output == "-") {
    int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return errno_error(errno, "dup", "standard output");
    return ImageOutput(Kind::stream, UniqueFd(fd), output, "standard output", false);
  }
  struct stat st {};
  bool exists = ::stat(output.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return errno_error(errno, "stat", output);
  if (exists && S_ISDIR(st.st_mode)) return refuse(output, "is a directory; OUTPUT names the file to write");
  if (exists && S_ISBLK(st.st_mode)) {
    if (!options.force) return refuse(output, "is a block device: add --force to write the image over it");
    // O_EXCL on a block device: refused while it is mounted or otherwise held.
    PBS_ASSIGN(UniqueFd fd, open_file(output, O_RDWR | O_EXCL | O_CLOEXEC));
    off_t end = ::lseek(fd.get(), 0, SEEK_END);
    if (end < 0) return errno_error(errno, "size of", output);
    if (std::uint64_t(end) < size) {
      return refuse(output, "the device holds " + std::to_string(end) + " bytes, the image " + std::to_string(size));
    }
    ImageOutput out(Kind::device, std::move(fd), output, output, options.zeroed_device);
    out.resuming_ = true;  // what it holds already is checked, never trusted
    return out;
  }
  if (exists && !S_ISREG(st.st_mode)) {  // a pipe, /dev/null: bytes in order, nothing to resume
    PBS_ASSIGN(UniqueFd fd, open_file(output, O_WRONLY | O_CLOEXEC));
    return ImageOutput(Kind::stream, std::move(fd), output, output, false);
  }
  if (exists && !options.force) return refuse(output, "exists: add --force to replace it (or remove it)");
  std::string part = part_name(output);
  bool resuming = ::access(part.c_str(), F_OK) == 0;
  PBS_ASSIGN(UniqueFd fd, open_file(part, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (::ftruncate(fd.get(), off_t(size)) != 0) return errno_error(errno, "size", part);
  ImageOutput out(Kind::file, std::move(fd), output, part, false);
  out.resuming_ = resuming;
  return out;
}

Status ImageOutput::write_at(std::uint64_t offset, std::span<const std::uint8_t> data) {
  if (kind_ != Kind::stream) return pwrite_all(fd_.get(), data, offset, where_);
  if (offset != stream_at_) return Error(Errc::invalid_argument, where_ + ": written out of order");
  PBS_TRY(write_all(fd_.get(), data, where_));
  stream_at_ += data.size();
  return {};
}

Status ImageOutput::zeros_at(std::uint64_t offset, std::uint64_t length) {
  if (kind_ == Kind::file && (!resuming_ || is_hole(offset, length))) return {};
  if (kind_ == Kind::device && zeroed_) return {};
  if (kind_ == Kind::file &&
      ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(offset), off_t(length)) == 0) {
    return {};
  }
  while (length > 0) {
    std::size_t n = std::size_t(std::min<std::uint64_t>(length, kZeroPiece));
    PBS_TRY(write_at(offset, std::span(zero_piece()).first(n)));
    offset += n;
    length -= n;
  }
  return {};
}

bool ImageOutput::is_hole(std::uint64_t offset, std::uint64_t length) const {
  if (kind_ != Kind::file) return false;
  off_t data = ::lseek(fd_.get(), off_t(offset), SEEK_DATA);
  if (data < 0) return errno == ENXIO;  // no data from here to the end
  return std::uint64_t(data) >= offset + length;
}

Result<bool> ImageOutput::holds(std::uint64_t offset, std::uint64_t length,
                                const std::function<bool(std::span<const std::uint8_t>)>& matches) {
  if (!resuming_ || kind_ == Kind::stream || is_hole(offset, length)) return false;
  PBS_ASSIGN(auto bytes, read_at(offset, length));
  return matches(bytes);
}

Result<std::vector<std::uint8_t>> ImageOutput::read_at(std::uint64_t offset, std::uint64_t length) const {
  std::vector<std::uint8_t> bytes(length);
  PBS_TRY(pread_exact(fd_.get(), bytes, offset, where_));
  return bytes;
}

Status ImageOutput::finish() {
  if (kind_ == Kind::stream) return {};
  if (::fsync(fd_.get()) != 0) return errno_error(errno, "sync", where_);
  if (kind_ == Kind::device) return {};
  if (::rename(where_.c_str(), output_.c_str()) != 0) return errno_error(errno, "rename to " + output_, where_);
  std::string dir = std::filesystem::path(output_).parent_path().string();
  PBS_ASSIGN(UniqueFd d, open_file(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (::fsync(d.get()) != 0) return errno_error(errno, "sync", dir);
  return {};
}

}  // namespace pbs::extract
