#include <cstring>

#include "datastore/index_file.h"
#include "test_support.h"
#include "util/endian.h"
#include "util/hex.h"

using namespace pbs;
using namespace pbs::datastore;
using pbs::test::fixture_path;
using pbs::test::read_bytes;

TEST_CASE("the real PBS dynamic index fixture parses and its checksum verifies", "[index]") {
  auto bytes = read_bytes(fixture_path("backup-client-pxar-data.ppxar.didx"));
  REQUIRE(bytes.size() == 8096);
  auto index = parse_index(bytes);
  REQUIRE(index);
  CHECK(index->kind == FileKind::dynamic_index);
  CHECK(to_hex(index->uuid) == "f0ef7665555e417ea6eba00a375ceee0");
  CHECK(index->ctime == 1715091951);
  CHECK(index->chunk_count() == 100);
  CHECK(index->size == 104859232);
  CHECK(index->ends.back() == 104859232);
  CHECK(index->csum == sha256(std::span(bytes).subspan(4096)));
  CHECK(index->compute_csum() == index->csum);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < index->chunk_count(); ++i) total += index->chunk_length(i);
  CHECK(total == index->size);
  SECTION("re-encoding gives PBS's bytes exactly") {
    auto encoded = encode_index(*index);
    REQUIRE(encoded);
    CHECK(*encoded == bytes);
  }
  SECTION("a flipped entry byte breaks the header checksum") {
    bytes[5000] ^= 1;
    auto r = parse_index(bytes);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::checksum);
  }
  SECTION("truncation is detected") {
    auto r = parse_index(std::span(bytes).first(bytes.size() - 20));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("not a multiple of 40"));
    auto header_only = parse_index(std::span(bytes).first(4096));
    REQUIRE_FALSE(header_only);
    CHECK_THAT(header_only.error().message(), Catch::Contains("no entries"));
    auto short_header = parse_index(std::span(bytes).first(100));
    REQUIRE_FALSE(short_header);
    CHECK_THAT(short_header.error().message(), Catch::Contains("4096"));
  }
  SECTION("ends must increase") {
    store_le64(bytes.data() + 4096 + 40, 1);  // entry 1 ends before entry 0
    // Fix the checksum so only the monotonicity check can fail.
    auto csum = sha256(std::span(bytes).subspan(4096));
    std::memcpy(bytes.data() + 32, csum.data(), 32);
    auto r = parse_index(bytes);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("entry 1"));
  }
}

TEST_CASE("fixed indexes round-trip and validate their sizes", "[index]") {
  std::vector<Digest> digests(3);
  for (std::size_t i = 0; i < digests.size(); ++i) digests[i] = sha256(std::to_string(i));
  std::array<std::uint8_t, 16> uuid{1, 2, 3};
  auto index = make_fixed_index(2 * 65536 + 100, 65536, digests, 1700000000, uuid);
  CHECK(index.chunk_length(0) == 65536);
  CHECK(index.chunk_length(2) == 100);
  auto bytes = encode_index(index);
  REQUIRE(bytes);
  CHECK(bytes->size() == 4096 + 3 * 32);
  CHECK(std::memcmp(bytes->data(), kFixedIndexMagic.data(), 8) == 0);
  auto back = parse_index(*bytes);
  REQUIRE(back);
  CHECK(back->digests == digests);
  CHECK(back->size == index.size);
  CHECK(back->chunk_size == 65536);
  CHECK(back->uuid == uuid);
  CHECK(back->ctime == 1700000000);
  CHECK(back->csum == sha256(std::span(*bytes).subspan(4096)));
  CHECK(*encode_index(*back) == *bytes);

  SECTION("chunk size must be a power of two") {
    auto bad = *bytes;
    store_le64(bad.data() + 72, 65535);
    CHECK_THAT(parse_index(bad).error().message(), Catch::Contains("power of two"));
    store_le64(bad.data() + 72, 0);
    CHECK_FALSE(parse_index(bad));
  }
  SECTION("file size must match the data size") {
    auto bad = *bytes;
    store_le64(bad.data() + 64, 4 * 65536);
    CHECK_THAT(parse_index(bad).error().message(), Catch::Contains("expected"));
    bad.resize(bad.size() - 32);
    store_le64(bad.data() + 64, 2 * 65536 + 100);
    CHECK_THAT(parse_index(bad).error().message(), Catch::Contains("truncated"));
  }
  SECTION("zero-size fixed index is refused") {
    auto bad = *bytes;
    store_le64(bad.data() + 64, 0);
    bad.resize(4096);
    CHECK_THAT(parse_index(bad).error().message(), Catch::Contains("no chunks"));
  }
  SECTION("unknown magic") {
    auto bad = *bytes;
    bad[3] ^= 0xff;
    CHECK_THAT(parse_index(bad).error().message(), Catch::Contains("magic"));
  }
}

TEST_CASE("indexes without entries are never written", "[index]") {
  IndexFile empty;
  empty.kind = FileKind::dynamic_index;
  auto r = encode_index(empty);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::invalid_argument);
  empty.kind = FileKind::fixed_index;
  CHECK_FALSE(encode_index(empty));
}

TEST_CASE("dynamic index builder computes ends, size and checksum", "[index]") {
  std::vector<Digest> digests{sha256("a"), sha256("b")};
  auto index = make_dynamic_index({10, 30}, digests, 5, {});
  CHECK(index.size == 30);
  CHECK(index.chunk_length(1) == 20);
  auto bytes = encode_index(index);
  REQUIRE(bytes);
  CHECK(bytes->size() == 4096 + 80);
  CHECK(load_le64(bytes->data() + 4096 + 40) == 30);
  CHECK(parse_index(*bytes)->csum == index.csum);
}
