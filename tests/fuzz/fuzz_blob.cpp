// libFuzzer target: DataBlob parsing, decoding and chunk checking on arbitrary bytes, and the
// decryption of a bucket's (untrusted) encrypted blobs.
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/encrypted_blob.h"
#include "datastore/blob.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pbs::datastore;
  std::span<const std::uint8_t> bytes(data, size);
  (void)check_blob(bytes);
  std::vector<std::uint8_t> out;
  if (decode_blob_into(bytes, out, 1 << 20)) {
    // What decodes must re-encode to something that decodes to the same bytes.
    auto again = decode_blob(encode_blob(out, true));
    if (!again || *again != out) __builtin_trap();
  }
  (void)check_chunk(bytes, pbs::Digest{});
  static const pbs::crypto::CryptKey key(pbs::crypto::KeyBytes{1, 2, 3});
  if (auto plain = pbs::crypto::unseal_blob(key, bytes)) {
    // What unseals is a plain blob that seals back to bytes that unseal to it.
    auto again = pbs::crypto::seal_blob(key, *plain, pbs::crypto::Iv{});
    if (!again || pbs::crypto::unseal_blob(key, *again).value() != *plain) __builtin_trap();
  }
  (void)pbs::crypto::decode_any_blob(key, bytes, 1 << 20);
  return 0;
}
