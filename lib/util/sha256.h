#pragma once
// SHA-256 and HMAC-SHA-256 over OpenSSL 3, with the digest as a 32-byte value type.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace pbs {

using Digest = std::array<std::uint8_t, 32>;

std::string digest_hex(const Digest& d);
// Parses 64 hex digits; false on anything else.
bool parse_digest(std::string_view hex, Digest& out);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Incremental SHA-256; the context is owned (RAII) and reusable after final().
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data) { update(as_bytes(data)); }
  // Returns the digest and resets the context for the next message.
  Digest final();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Digest sha256(std::span<const std::uint8_t> data);
inline Digest sha256(std::string_view data) { return sha256(as_bytes(data)); }

Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

}  // namespace pbs
