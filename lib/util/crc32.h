#pragma once

#include <cstdint>
#include <span>

namespace pbs {

// Standard CRC-32 (IEEE 802.3, zlib's crc32), as PBS's crc32fast computes it.
std::uint32_t crc32(std::span<const std::uint8_t> data);

}  // namespace pbs
