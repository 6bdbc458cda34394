#pragma once
// Shared by the fidx and didx targets: builds an index file from fuzz input so the fuzzer spends
// its time past the magic and, half of the time, past the header checksum.

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "datastore/index_file.h"

inline int fuzz_index(const std::uint8_t* data, std::size_t size, const pbs::datastore::Magic& magic) {
  using namespace pbs::datastore;
  if (size < 1) return 0;
  bool fix_csum = data[0] & 1;
  std::span<const std::uint8_t> in(data + 1, size - 1);
  // Input: the header fields after the magic (uuid, ctime, csum, and for fidx size and
  // chunk_size), then the entries. The rest of the header is reserved and stays zero.
  bool fixed = magic == kFixedIndexMagic;
  std::size_t head = std::min<std::size_t>(in.size(), fixed ? 72 : 56);
  std::vector<std::uint8_t> file(kIndexHeaderSize, 0);
  std::memcpy(file.data(), magic.data(), 8);
  std::memcpy(file.data() + 8, in.data(), head);
  file.insert(file.end(), in.begin() + head, in.end());
  if (fix_csum) {
    auto csum = pbs::sha256(std::span(file).subspan(kIndexHeaderSize));
    std::memcpy(file.data() + 32, csum.data(), 32);
  }
  auto index = parse_index(file);
  if (index) {
    // A valid index re-encodes to the same bytes (reserved header bytes are zero here).
    auto bytes = encode_index(*index);
    if (!bytes || *bytes != file) __builtin_trap();
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < index->chunk_count(); ++i) total += index->chunk_length(i);
    if (total != index->size) __builtin_trap();
  }
  (void)parse_index(std::span(data, size));  // raw bytes too
  return 0;
}
