#pragma once
// Standard base64 (RFC 4648 section 4, with padding): Content-MD5 headers, PBS key files and the
// sealed source manifest an encrypted copy carries.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pbs {

std::string base64_encode(std::span<const std::uint8_t> data);
// Standard base64 with padding; nullopt on anything else (whitespace included).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace pbs
