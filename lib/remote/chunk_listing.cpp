#include "remote/chunk_listing.h"

#include <algorithm>
#include <numeric>

#include "remote/key_layout.h"
#include "remote/listing.h"

namespace pbs::remote {

Result<ChunkListing> ChunkListing::list(transfer::RequestInterface& requests, const Remote& remote, Keep keep) {
  ChunkListing out;
  PBS_TRY(list_remote(requests, remote, kChunksDir, true, [&](std::string_view rel, const s3::ObjectInfo& o) {
    auto d = parse_chunk_key(rel.substr(kChunksDir.size()));
    if (!d) return;
    Part& part = out.parts_[(*d)[0] >> 4];
    part.digests.push_back(*d);
    if (keep.versions) part.versions.push_back(o.version_id);
    if (keep.sizes) part.sizes.push_back(o.size);
    if (keep.classes) part.archived.push_back(s3::is_archive_class(o.storage_class));
  }));
  for (auto& part : out.parts_) {
    out.sort_part(part);
    part.flags.assign(part.digests.size(), 0);
  }
  return out;
}

// Listings come in key order, which is digest order; a server that answers otherwise is sorted.
void ChunkListing::sort_part(Part& part) {
  if (std::is_sorted(part.digests.begin(), part.digests.end())) return;
  std::vector<std::size_t> order(part.digests.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return part.digests[a] < part.digests[b]; });
  Part sorted;
  for (std::size_t i : order) {
    sorted.digests.push_back(part.digests[i]);
    if (!part.versions.empty()) sorted.versions.push_back(std::move(part.versions[i]));
    if (!part.sizes.empty()) sorted.sizes.push_back(part.sizes[i]);
    if (!part.archived.empty()) sorted.archived.push_back(part.archived[i]);
  }
  part = std::move(sorted);
}

std::size_t ChunkListing::size() const {
  std::size_t n = 0;
  for (const auto& p : parts_) n += p.digests.size();
  return n;
}

std::optional<ChunkListing::Slot> ChunkListing::find(const Digest& d) const {
  std::uint8_t part = d[0] >> 4;
  const auto& digests = parts_[part].digests;
  auto it = std::lower_bound(digests.begin(), digests.end(), d);
  if (it == digests.end() || *it != d) return std::nullopt;
  return Slot{part, std::uint32_t(it - digests.begin())};
}

const std::string& ChunkListing::version(Slot s) const {
  static const std::string none;
  const auto& v = parts_[s.part].versions;
  return v.empty() ? none : v[s.index];
}

std::uint64_t ChunkListing::size(Slot s) const {
  const auto& v = parts_[s.part].sizes;
  return v.empty() ? 0 : v[s.index];
}

bool ChunkListing::archived(Slot s) const {
  const auto& v = parts_[s.part].archived;
  return !v.empty() && v[s.index];
}

std::vector<ChunkListing::Slot> ChunkListing::with_flags(std::uint8_t mask) const {
  std::vector<Slot> out;
  for (std::uint8_t p = 0; p < parts_.size(); ++p) {
    for (std::uint32_t i = 0; i < parts_[p].flags.size(); ++i) {
      if ((parts_[p].flags[i] & mask) == mask) out.push_back({p, i});
    }
  }
  return out;
}

std::size_t ChunkListing::count_with_flags(std::uint8_t mask) const {
  std::size_t n = 0;
  for (const auto& p : parts_) {
    n += std::size_t(std::count_if(p.flags.begin(), p.flags.end(), [&](std::uint8_t f) { return (f & mask) == mask; }));
  }
  return n;
}

}  // namespace pbs::remote
