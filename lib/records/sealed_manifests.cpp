#include "records/sealed_manifests.h"

#include <optional>
#include <span>

#include "datastore/blob.h"
#include "records/record_io.h"
#include "records/record_keys.h"
#include "util/hex.h"
#include "util/md5.h"

namespace pbs::records {

namespace {
constexpr std::string_view kMagic = "pbs-s3sync sealed-manifests 1\n";

void put_sized(std::string& out, std::span<const std::uint8_t> bytes) {
  auto n = std::uint32_t(bytes.size());
  for (int i = 0; i < 4; ++i) out.push_back(char((n >> (8 * i)) & 0xff));
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// The next length-prefixed piece at `pos`, or nullopt when the bytes end before it does.
std::optional<std::span<const std::uint8_t>> take_sized(std::span<const std::uint8_t> in, std::size_t& pos) {
  if (in.size() - pos < 4) return std::nullopt;
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= std::uint32_t(in[pos + i]) << (8 * i);
  pos += 4;
  if (in.size() - pos < n) return std::nullopt;
  auto piece = in.subspan(pos, n);
  pos += n;
  return piece;
}
}  // namespace

std::string format_sealed_manifests(const SealedManifests& manifests) {
  std::string payload(kMagic);
  for (const auto& [dir, blob] : manifests) {
    put_sized(payload, {reinterpret_cast<const std::uint8_t*>(dir.data()), dir.size()});
    put_sized(payload, blob);
  }
  auto packed = datastore::encode_blob({reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}, true);
  return std::string(packed.begin(), packed.end());
}

Result<SealedManifests> parse_sealed_manifests(std::string_view bytes) {
  auto bad = [](const std::string& why) { return Error(Errc::corrupt, std::string(kSealedManifestsKey) + ": " + why); };
  auto payload = datastore::decode_blob({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                                        4 * kMaxSealedManifestsSize);
  if (!payload) return bad(payload.error().message());
  std::span<const std::uint8_t> in(*payload);
  if (in.size() < kMagic.size() || std::string_view(reinterpret_cast<const char*>(in.data()), kMagic.size()) != kMagic) {
    return bad("not a record of sealed manifests");
  }
  SealedManifests out;
  for (std::size_t pos = kMagic.size(); pos < in.size();) {
    auto dir = take_sized(in, pos);
    auto blob = dir ? take_sized(in, pos) : std::nullopt;
    if (!blob) return bad("cut short");
    out.emplace(std::string(dir->begin(), dir->end()), std::vector<std::uint8_t>(blob->begin(), blob->end()));
  }
  return out;
}

SealedManifests read_sealed_manifests(transfer::RequestInterface& requests, const remote::Remote& remote) {
  auto read = read_record(requests, remote, kSealedManifestsKey, "", kMaxSealedManifestsSize);
  if (!read || !read->text) return {};
  auto parsed = parse_sealed_manifests(*read->text);
  return parsed ? std::move(*parsed) : SealedManifests{};
}

Status write_sealed_manifests(transfer::RequestInterface& requests, const remote::Remote& remote,
                              const SealedManifests& manifests, const s3::PutOptions& options) {
  std::string text = format_sealed_manifests(manifests);
  if (text.size() > kMaxSealedManifestsSize) return {};
  PBS_TRY(write_record(requests, remote, kSealedManifestsKey, text, options));
  return {};
}

bool is_listed_manifest(const remote::RemoteFile& listed, const std::vector<std::uint8_t>& blob) {
  if (listed.size != blob.size()) return false;
  Md5 md5;
  md5.update(blob);
  auto digest = md5.final();
  return listed.etag == to_hex(digest);
}

}  // namespace pbs::records
