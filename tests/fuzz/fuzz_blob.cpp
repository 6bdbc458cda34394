// libFuzzer target: DataBlob parsing, decoding and chunk checking on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <span>

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
  return 0;
}
