#include "records/sealed_manifests.h"

#include <nlohmann/json.hpp>

#include "datastore/blob.h"
#include "records/record_io.h"
#include "records/record_keys.h"
#include "util/base64.h"
#include "util/hex.h"
#include "util/md5.h"

namespace pbs::records {

namespace {
constexpr int kVersion = 1;
}

std::string format_sealed_manifests(const SealedManifests& manifests) {
  nlohmann::json doc{{"version", kVersion}, {"manifests", nlohmann::json::object()}};
  for (const auto& [dir, blob] : manifests) doc["manifests"][dir] = base64_encode(blob);
  std::string json = doc.dump();
  auto packed = datastore::encode_blob({reinterpret_cast<const std::uint8_t*>(json.data()), json.size()}, true);
  return base64_encode(packed);
}

Result<SealedManifests> parse_sealed_manifests(std::string_view text) {
  auto bad = [](const std::string& why) { return Error(Errc::corrupt, std::string(kSealedManifestsKey) + ": " + why); };
  auto packed = base64_decode(text);
  if (!packed) return bad("not base64");
  auto json = datastore::decode_blob(*packed, 16 * kMaxRecordSize);
  if (!json) return bad(json.error().message());
  auto doc = nlohmann::json::parse(json->begin(), json->end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || *version != kVersion) return bad("unknown version");
  auto list = doc.find("manifests");
  if (list == doc.end() || !list->is_object()) return bad("no manifests");
  SealedManifests out;
  for (const auto& [dir, value] : list->items()) {
    if (!value.is_string()) return bad("manifest of " + dir + " is not a string");
    auto blob = base64_decode(value.get<std::string>());
    if (!blob) return bad("manifest of " + dir + " is not base64");
    out.emplace(dir, std::move(*blob));
  }
  return out;
}

SealedManifests read_sealed_manifests(transfer::RequestInterface& requests, const remote::Remote& remote) {
  auto read = read_record(requests, remote, kSealedManifestsKey);
  if (!read || !read->text) return {};
  auto parsed = parse_sealed_manifests(*read->text);
  return parsed ? std::move(*parsed) : SealedManifests{};
}

Status write_sealed_manifests(transfer::RequestInterface& requests, const remote::Remote& remote,
                              const SealedManifests& manifests, const s3::PutOptions& options) {
  std::string text = format_sealed_manifests(manifests);
  if (text.size() > kMaxRecordSize) return {};
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
