#include "datastore/index_file.h"

#include <cstring>
#include <string>

#include "util/endian.h"
#include "util/hex.h"

namespace pbs::datastore {

namespace {
constexpr std::size_t kFixedEntrySize = 32;
constexpr std::size_t kDynamicEntrySize = 40;

bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

Error corrupt(std::string what) { return Error(Errc::corrupt, std::move(what)); }
}  // namespace

std::uint64_t IndexFile::chunk_length(std::size_t i) const {
  if (kind == FileKind::fixed_index) {
    std::uint64_t start = i * chunk_size;
    return std::min(chunk_size, size - start);
  }
  return ends[i] - (i == 0 ? 0 : ends[i - 1]);
}

Digest IndexFile::compute_csum() const {
  Sha256 h;
  if (kind == FileKind::fixed_index) {
    for (const auto& d : digests) h.update(d);
  } else {
    std::uint8_t le[8];
    for (std::size_t i = 0; i < digests.size(); ++i) {
      store_le64(le, ends[i]);
      h.update(le);
      h.update(digests[i]);
    }
  }
  return h.final();
}

Result<IndexFile> parse_index(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kIndexHeaderSize) {
    return corrupt("index is " + std::to_string(bytes.size()) +
                   " bytes, shorter than its 4096-byte header (truncated?)");
  }
  IndexFile index;
  if (std::memcmp(bytes.data(), kFixedIndexMagic.data(), 8) == 0) {
    index.kind = FileKind::fixed_index;
  } else if (std::memcmp(bytes.data(), kDynamicIndexMagic.data(), 8) == 0) {
    index.kind = FileKind::dynamic_index;
  } else {
    return corrupt("not an index file: unknown magic " + to_hex(bytes.first(8)));
  }
  std::memcpy(index.uuid.data(), bytes.data() + 8, 16);
  index.ctime = static_cast<std::int64_t>(load_le64(bytes.data() + 24));
  std::memcpy(index.csum.data(), bytes.data() + 32, 32);
  auto entries = bytes.subspan(kIndexHeaderSize);

  if (index.kind == FileKind::fixed_index) {
    index.size = load_le64(bytes.data() + 64);
    index.chunk_size = load_le64(bytes.data() + 72);
    if (!is_power_of_two(index.chunk_size)) {
      return corrupt("fixed index chunk size " + std::to_string(index.chunk_size) +
                     " is not a power of two");
    }
    std::uint64_t count = index.size / index.chunk_size + (index.size % index.chunk_size ? 1 : 0);
    if (count == 0) return corrupt("fixed index has no chunks (PBS cannot read it)");
    if (count > entries.size() / kFixedEntrySize || entries.size() != count * kFixedEntrySize) {
      return corrupt("fixed index is " + std::to_string(bytes.size()) + " bytes, expected " +
                     std::to_string(kIndexHeaderSize + count * kFixedEntrySize) + " for " +
                     std::to_string(index.size) + " bytes in chunks of " +
                     std::to_string(index.chunk_size) + " (truncated?)");
    }
    index.digests.resize(count);
    std::memcpy(index.digests.data(), entries.data(), entries.size());
  } else {
    if (entries.size() % kDynamicEntrySize != 0) {
      return corrupt("dynamic index entry region is " + std::to_string(entries.size()) +
                     " bytes, not a multiple of 40 (truncated?)");
    }
    std::size_t count = entries.size() / kDynamicEntrySize;
    if (count == 0) return corrupt("dynamic index has no entries (PBS cannot read it)");
    index.digests.resize(count);
    index.ends.resize(count);
    std::uint64_t prev = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t* e = entries.data() + i * kDynamicEntrySize;
      std::uint64_t end = load_le64(e);
      if (end <= prev) {
        return corrupt("dynamic index entry " + std::to_string(i) + " at offset " +
                       std::to_string(kIndexHeaderSize + i * kDynamicEntrySize) + " ends at " +
                       std::to_string(end) + ", not after the previous end " +
                       std::to_string(prev));
      }
      prev = end;
      index.ends[i] = end;
      std::memcpy(index.digests[i].data(), e + 8, 32);
    }
    index.size = prev;
  }
  // Both layouts hash exactly the entry region, so hash the bytes as they are.
  Digest actual = sha256(entries);
  if (actual != index.csum) {
    return Error(Errc::checksum, "index header checksum " + digest_hex(index.csum) +
                                     " does not match its entries (" + digest_hex(actual) + ")");
  }
  return index;
}

Result<std::vector<std::uint8_t>> encode_index(const IndexFile& index) {
  if (index.digests.empty()) {
    return Error(Errc::invalid_argument, "refusing to write an index without entries");
  }
  bool fixed = index.kind == FileKind::fixed_index;
  if (!fixed && index.ends.size() != index.digests.size()) {
    return Error(Errc::invalid_argument, "dynamic index: ends and digests differ in count");
  }
  std::size_t entry = fixed ? kFixedEntrySize : kDynamicEntrySize;
  std::vector<std::uint8_t> out(kIndexHeaderSize + entry * index.digests.size(), 0);
  std::memcpy(out.data(), (fixed ? kFixedIndexMagic : kDynamicIndexMagic).data(), 8);
  std::memcpy(out.data() + 8, index.uuid.data(), 16);
  store_le64(out.data() + 24, static_cast<std::uint64_t>(index.ctime));
  if (fixed) {
    store_le64(out.data() + 64, index.size);
    store_le64(out.data() + 72, index.chunk_size);
  }
  std::uint8_t* p = out.data() + kIndexHeaderSize;
  for (std::size_t i = 0; i < index.digests.size(); ++i) {
    if (!fixed) {
      store_le64(p, index.ends[i]);
      p += 8;
    }
    std::memcpy(p, index.digests[i].data(), 32);
    p += 32;
  }
  Digest csum = sha256(std::span(out).subspan(kIndexHeaderSize));
  std::memcpy(out.data() + 32, csum.data(), 32);
  return out;
}

IndexFile make_fixed_index(std::uint64_t size, std::uint64_t chunk_size,
                           std::vector<Digest> digests, std::int64_t ctime,
                           const std::array<std::uint8_t, 16>& uuid) {
  IndexFile index;
  index.kind = FileKind::fixed_index;
  index.size = size;
  index.chunk_size = chunk_size;
  index.digests = std::move(digests);
  index.ctime = ctime;
  index.uuid = uuid;
  index.csum = index.compute_csum();
  return index;
}

IndexFile make_dynamic_index(std::vector<std::uint64_t> ends, std::vector<Digest> digests,
                             std::int64_t ctime, const std::array<std::uint8_t, 16>& uuid) {
  IndexFile index;
  index.kind = FileKind::dynamic_index;
  index.size = ends.empty() ? 0 : ends.back();
  index.ends = std::move(ends);
  index.digests = std::move(digests);
  index.ctime = ctime;
  index.uuid = uuid;
  index.csum = index.compute_csum();
  return index;
}

}  // namespace pbs::datastore
