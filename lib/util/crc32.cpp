#include "util/crc32.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace pbs {

std::uint32_t crc32(std::span<const std::uint8_t> data) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  const std::uint8_t* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {  // zlib takes uInt lengths
    auto n = static_cast<uInt>(std::min<std::size_t>(left, std::numeric_limits<uInt>::max()));
    crc = ::crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace pbs
