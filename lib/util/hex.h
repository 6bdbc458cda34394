#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pbs {

// Lower-case hex, as PBS writes digests.
std::string to_hex(std::span<const std::uint8_t> bytes);

// Parses exactly out.size()*2 hex digits (either case). False on any other input.
bool from_hex(std::string_view text, std::span<std::uint8_t> out);

// True when text is non-empty and only lower-case hex digits.
bool is_lower_hex(std::string_view text);

}  // namespace pbs
