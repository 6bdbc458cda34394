#pragma once
// How this tool writes objects: the PUT settings of a target (conditional PUT, Content-MD5,
// storage class for chunks, server-side encryption) and the PUT requests for chunks and snapshot
// files, each with a check of its bytes that runs on the hasher threads right before they are
// sent. A chunk blob that fails its magic/CRC check, or an index, blob or manifest that does not
// parse, is never uploaded; that failure is Errc::corrupt, which no remote answer produces.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/crypt_key.h"
#include "remote/remote.h"
#include "s3/request.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::push {

struct PutSettings {
  bool if_none_match = true;  // conditional PUT for chunks (412 = already there)
  bool content_md5 = false;
  std::string storage_class;  // chunks only: metadata stays STANDARD, so listing never needs a restore
  std::string sse;
  std::string sse_kms_key_id;
  std::optional<s3::Retention> retention;  // Object Lock: every object written is locked
  // An encrypted run: chunks of the encrypted view (Datastore::aliased) are sealed with this key.
  std::shared_ptr<const crypto::CryptKey> seal;

  // `conditional`: this PUT may use If-None-Match (when the target allows it).
  s3::PutOptions options(bool chunk, bool conditional) const;
};

Status check_chunk_body(std::span<const std::uint8_t> bytes);
// `name` is the snapshot file's name: the manifest, an index or a blob is checked by its kind.
Status check_file_body(std::string_view name, std::span<const std::uint8_t> bytes);

// With `seal`, `path` is the plain chunk that `digest` (its encrypted name) is made from: it is
// checked, then sealed on the hasher threads (crypto/encrypted_blob.h) with a random IV, as PBS
// seals chunks. Retries send the bytes sealed once.
s3::Request chunk_put(const remote::Remote& remote, const Digest& digest, const std::string& path, std::uint64_t size,
                      const s3::PutOptions& options, std::shared_ptr<const crypto::CryptKey> seal = nullptr);
// A file of the datastore (snapshot file, owner, notes) at `key_rel`, checked by its name.
s3::Request file_put(const remote::Remote& remote, const std::string& key_rel, const std::string& path,
                     std::uint64_t size, const s3::PutOptions& options);

}  // namespace pbs::push
