#pragma once
// MD5 for Content-MD5 headers (S3 requires it on DeleteObjects; optional elsewhere) and for
// comparing local files with ETags.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "util/result.h"

namespace pbs {

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(Md5&&) noexcept;
  Md5& operator=(Md5&&) noexcept;
  void update(std::span<const std::uint8_t> data);
  std::array<std::uint8_t, 16> final();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// MD5 of a local file as lower-case hex: what S3 reports as the ETag of a single-part upload.
Result<std::string> file_md5_hex(const std::string& path);

}  // namespace pbs
