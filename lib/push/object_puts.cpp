#include "push/object_puts.h"

#include "crypto/encrypted_blob.h"
#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "datastore/names.h"
#include "remote/key_layout.h"

namespace pbs::push {

using namespace datastore;

s3::PutOptions PutSettings::options(bool chunk, bool conditional) const {
  s3::PutOptions o;
  o.if_none_match = conditional && if_none_match;
  o.content_md5 = content_md5;
  if (chunk) o.storage_class = storage_class;
  o.sse = sse;
  o.sse_kms_key_id = sse_kms_key_id;
  o.retention = retention;
  return o;
}

Status check_chunk_body(std::span<const std::uint8_t> bytes) {
  auto kind = check_blob(bytes);
  if (!kind) return Error(Errc::corrupt, kind.error().message());
  return {};
}

Status check_file_body(std::string_view name, std::span<const std::uint8_t> bytes) {
  auto kind = snapshot_file_kind(name);
  if (name == kManifestName) {
    auto m = parse_manifest_blob(bytes);
    if (!m) return Error(Errc::corrupt, m.error().message());
  } else if (kind && is_index_kind(*kind)) {
    auto index = parse_index(bytes);
    if (!index) return Error(Errc::corrupt, index.error().message());
  } else if (kind == FileKind::blob) {
    auto blob = check_blob(bytes);
    if (!blob) return Error(Errc::corrupt, blob.error().message());
  }
  return {};
}

s3::Request chunk_put(const remote::Remote& remote, const Digest& digest, const std::string& path, std::uint64_t size,
                      const s3::PutOptions& options, std::shared_ptr<const crypto::CryptKey> seal) {
  auto req = s3::put_object_file(remote.bucket, remote.key(remote::chunk_rel_key(digest)), {path, 0, size}, options);
  req.check_body = check_chunk_body;
  if (seal) {
    req.check_body = nullptr;  // sealing checks the blob (magic, CRC): once is enough
    req.transform_body = [key = std::move(seal)](std::span<const std::uint8_t> plain) -> Result<std::vector<std::uint8_t>> {
      auto sealed = crypto::seal_blob(*key, plain, crypto::random_iv());
      if (!sealed) return Error(Errc::corrupt, sealed.error().message());  // never sent, like a failed check
      return sealed;
    };
  }
  return req;
}

s3::Request file_put(const remote::Remote& remote, const std::string& key_rel, const std::string& path,
                     std::uint64_t size, const s3::PutOptions& options) {
  auto req = s3::put_object_file(remote.bucket, remote.key(key_rel), {path, 0, size}, options);
  std::string name = key_rel.substr(key_rel.rfind('/') + 1);
  req.check_body = [name](std::span<const std::uint8_t> bytes) { return check_file_body(name, bytes); };
  return req;
}

}  // namespace pbs::push
