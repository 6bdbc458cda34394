#pragma once
// Where an extracted archive goes: a file, a block device, or standard output, behind one narrow
// interface. A file is written as OUTPUT.part (mode 0600: a disk image holds everything the VM
// held), sparse (zero regions stay holes), and renamed to OUTPUT only once complete and synced,
// so OUTPUT never exists half-written; a .part left by an interrupted run is continued, and what
// it holds is trusted only where it checks against the chunk names. A block device is written in
// place (all of it, unless it is known to read as zeros). Standard output takes the bytes in order.

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "util/file_io.h"
#include "util/result.h"

namespace pbs::extract {

struct OutputOptions {
  bool force = false;          // overwrite an existing OUTPUT (a block device needs it too)
  bool zeroed_device = false;  // the device reads as zeros: zero regions are not written
};

class ImageOutput {
 public:
  enum class Kind { file, device, stream };

  // `size`: the archive's length. Errc::invalid_argument when OUTPUT exists (without --force), is
  // a directory, or a device smaller than `size`; the file system's error otherwise.
  static Result<ImageOutput> open(const std::string& output, std::uint64_t size, const OutputOptions& options);

  Kind kind() const { return kind_; }
  // Bytes must come in order (standard output).
  bool sequential() const { return kind_ == Kind::stream; }
  // A .part of an earlier run was found: its regions may already hold their chunks.
  bool resuming() const { return resuming_; }
  // What the messages name: OUTPUT.part, the device, or "standard output".
  const std::string& where() const { return where_; }
  const std::string& final_name() const { return output_; }

  Status write_at(std::uint64_t offset, std::span<const std::uint8_t> data);
  // `length` zero bytes at `offset`: a hole in a file, nothing on a zeroed device.
  Status zeros_at(std::uint64_t offset, std::uint64_t length);
  // Whether the region already holds data that `matches` (reads it only when it is not a hole).
  Result<bool> holds(std::uint64_t offset, std::uint64_t length,
                     const std::function<bool(std::span<const std::uint8_t>)>& matches);
  // What is already written at `offset` (a file or device).
  Result<std::vector<std::uint8_t>> read_at(std::uint64_t offset, std::uint64_t length) const;
  // Everything written: synced, and a file renamed from OUTPUT.part to OUTPUT.
  Status finish();

 private:
  ImageOutput(Kind kind, UniqueFd fd, std::string output, std::string where, bool zeroed)
      : kind_(kind), fd_(std::move(fd)), output_(std::move(output)), where_(std::move(where)), zeroed_(zeroed) {}
  bool is_hole(std::uint64_t offset, std::uint64_t length) const;

  Kind kind_;
  UniqueFd fd_;
  std::string output_;
  std::string where_;
  bool zeroed_ = false;
  bool resuming_ = false;
  std::uint64_t stream_at_ = 0;  // standard output: bytes written so far
};

// The name of the file an extract into OUTPUT writes until it is complete.
std::string part_name(const std::string& output);

}  // namespace pbs::extract
