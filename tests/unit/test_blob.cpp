#include <cstring>

#include "datastore/blob.h"
#include "test_support.h"
#include "util/crc32.h"
#include "util/hex.h"

using namespace pbs;
using namespace pbs::datastore;

namespace {
std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }
std::vector<std::uint8_t> unhex(std::string_view h) {
  std::vector<std::uint8_t> out(h.size() / 2);
  REQUIRE(from_hex(h, out));
  return out;
}
}  // namespace

TEST_CASE("magics are the first 8 bytes of SHA-256 of their description", "[blob]") {
  auto first8 = [](std::string_view s) {
    auto d = sha256(s);
    Magic m;
    std::memcpy(m.data(), d.data(), 8);
    return m;
  };
  CHECK(first8("Proxmox Backup uncompressed blob v1.0") == kUncompressedBlobMagic);
  CHECK(first8("Proxmox Backup zstd compressed blob v1.0") == kCompressedBlobMagic);
  CHECK(first8("Proxmox Backup encrypted blob v1.0") == kEncryptedBlobMagic);
  CHECK(first8("Proxmox Backup zstd compressed encrypted blob v1.0") == kEncrCompressedBlobMagic);
}

TEST_CASE("the hello-world blob matches PBS's bytes", "[blob]") {
  auto expected = unhex("42ab3807be8370a12d3b08af68656c6c6f20776f726c640a");
  auto encoded = encode_blob(bytes_of("hello world\n"), true);  // zstd would be larger: raw kept
  CHECK(encoded == expected);
  auto decoded = decode_blob(expected);
  REQUIRE(decoded);
  CHECK(*decoded == bytes_of("hello world\n"));
}

TEST_CASE("compressible data round-trips through a zstd blob", "[blob]") {
  std::vector<std::uint8_t> data(100000, 'a');
  auto blob = encode_blob(data, true);
  CHECK(std::memcmp(blob.data(), kCompressedBlobMagic.data(), 8) == 0);
  CHECK(blob.size() < 1000);
  auto kind = check_blob(blob);
  REQUIRE(kind);
  CHECK(*kind == BlobKind::compressed);
  CHECK(*decode_blob(blob) == data);
  auto raw = encode_blob(data, false);
  CHECK(*check_blob(raw) == BlobKind::uncompressed);
  CHECK(*decode_blob(raw) == data);
  CHECK(*decode_blob(encode_blob({}, true)) == std::vector<std::uint8_t>{});
}

TEST_CASE("the 4 MiB zero chunk has PBS's well-known digest and verifies", "[blob]") {
  std::vector<std::uint8_t> zeros(4 << 20, 0);
  Digest d = sha256(zeros);
  CHECK(digest_hex(d) == "bb9f8df61474d25e71fa00722318cd387396ca1736605e1248821cc0de3d3af8");
  auto blob = encode_blob(zeros, true);
  auto check = check_chunk(blob, d);
  REQUIRE(check);
  CHECK(check->raw_size == zeros.size());
  CHECK(check->kind == BlobKind::compressed);
}

TEST_CASE("damaged blobs are rejected with the reason", "[blob]") {
  auto good = encode_blob(bytes_of("some data that is in a blob"), false);
  SECTION("CRC mismatch") {
    auto bad = good;
    bad.back() ^= 1;
    auto r = check_blob(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::checksum);
    CHECK_THAT(r.error().message(), Catch::Contains("CRC"));
  }
  SECTION("unknown magic") {
    auto bad = good;
    bad[0] ^= 1;
    auto r = check_blob(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::corrupt);
    CHECK_THAT(r.error().message(), Catch::Contains("magic"));
  }
  SECTION("shorter than the header") {
    auto r = check_blob(std::span(good).first(11));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("shorter"));
    CHECK_FALSE(check_blob({}));
  }
  SECTION("zstd frame that does not decode") {
    std::vector<std::uint8_t> bad(kBlobHeaderSize, 0);
    std::memcpy(bad.data(), kCompressedBlobMagic.data(), 8);
    for (int i = 0; i < 20; ++i) bad.push_back(std::uint8_t(i * 37));
    auto crc = pbs::crc32(std::span(bad).subspan(12));
    for (int i = 0; i < 4; ++i) bad[8 + i] = std::uint8_t(crc >> (8 * i));
    auto r = decode_blob(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::corrupt);
  }
  SECTION("truncated zstd frame") {
    std::vector<std::uint8_t> data(50000, 'x');
    for (std::size_t i = 0; i < data.size(); i += 7) data[i] = std::uint8_t(i);
    auto blob = encode_blob(data, true);
    std::vector<std::uint8_t> cut(blob.begin(), blob.end() - 10);
    auto crc = pbs::crc32(std::span(cut).subspan(12));
    for (int i = 0; i < 4; ++i) cut[8 + i] = std::uint8_t(crc >> (8 * i));
    REQUIRE(check_blob(cut));
    auto r = decode_blob(cut);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::corrupt);
  }
  SECTION("decoded size over the limit") {
    std::vector<std::uint8_t> data(1 << 20, 0);
    auto r = decode_blob(encode_blob(data, true), 1000);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("limit"));
  }
}

TEST_CASE("encrypted blobs are recognised, CRC-checked, not decoded", "[blob]") {
  std::vector<std::uint8_t> blob(kEncryptedBlobHeaderSize + 100, 7);
  std::memcpy(blob.data(), kEncryptedBlobMagic.data(), 8);
  // The CRC covers only the ciphertext, not IV and tag.
  auto crc = pbs::crc32(std::span(blob).subspan(kEncryptedBlobHeaderSize));
  for (int i = 0; i < 4; ++i) blob[8 + i] = std::uint8_t(crc >> (8 * i));
  auto kind = check_blob(blob);
  REQUIRE(kind);
  CHECK(*kind == BlobKind::encrypted);
  auto dec = decode_blob(blob);
  REQUIRE_FALSE(dec);
  CHECK(dec.error().code() == Errc::unsupported);
  auto chunk = check_chunk(blob, Digest{});
  REQUIRE(chunk);  // encrypted chunks cannot be checked against their digest
  CHECK(chunk->kind == BlobKind::encrypted);
  blob[20] ^= 1;  // inside the IV: not covered by the CRC
  CHECK(check_blob(blob));
  blob[50] ^= 1;  // ciphertext: covered
  CHECK_FALSE(check_blob(blob));
  std::vector<std::uint8_t> short_enc(30, 0);
  std::memcpy(short_enc.data(), kEncrCompressedBlobMagic.data(), 8);
  CHECK_THAT(check_blob(short_enc).error().message(), Catch::Contains("44-byte"));
}

TEST_CASE("a chunk whose data does not hash to its name fails", "[blob]") {
  auto data = bytes_of("chunk payload");
  Digest d = sha256(data);
  auto blob = encode_blob(data, true);
  CHECK(check_chunk(blob, d));
  Digest other = d;
  other[0] ^= 1;
  auto r = check_chunk(blob, other);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::checksum);
  CHECK_THAT(r.error().message(), Catch::Contains(digest_hex(d)));
  // The same thread checks the next chunk correctly after a failure.
  CHECK(check_chunk(blob, d));
}
