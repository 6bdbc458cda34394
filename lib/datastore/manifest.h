#pragma once
// The snapshot manifest `index.json.blob` (PBS: pbs-datastore/src/manifest.rs): a DataBlob holding
// pretty-printed JSON that lists every file of the snapshot with its size and checksum.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "datastore/names.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::datastore {

struct ManifestFile {
  std::string filename;
  std::string crypt_mode = "none";  // none | encrypt | sign-only
  std::uint64_t size = 0;           // index: logical size; blob: encoded file size
  Digest csum{};                    // index: header csum; blob: SHA-256 of the whole file
};

struct Manifest {
  BackupType type = BackupType::vm;
  std::string id;
  std::int64_t time = 0;
  std::vector<ManifestFile> files;
  nlohmann::ordered_json unprotected = nlohmann::ordered_json::object();
  std::optional<std::string> signature;

  bool encrypted() const;
  // unprotected.verify_state.state ("ok" / "failed"), when the snapshot was verified.
  std::optional<std::string> verify_state() const;
  const ManifestFile* find(std::string_view filename) const;
};

Result<Manifest> parse_manifest_json(std::string_view json);
// Decodes the blob (CRC checked) and parses the JSON.
Result<Manifest> parse_manifest_blob(std::span<const std::uint8_t> blob);

// serde_json::to_string_pretty layout: 2-space indent, keys in PBS's struct order.
std::string manifest_to_json(const Manifest& manifest);
// The blob as PBS writes it: zstd-compressed when that is not larger.
std::vector<std::uint8_t> encode_manifest_blob(const Manifest& manifest);

// Checks a snapshot file's bytes against its manifest entry: the size, and the csum (SHA-256 of the
// whole file for blobs, the index's own checksum of its entries for indexes).
Status check_manifest_file(const ManifestFile& entry, std::span<const std::uint8_t> bytes);

}  // namespace pbs::datastore
