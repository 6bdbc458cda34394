// libFuzzer target: fixed index (.fidx) parser.
#include "fuzz_index.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_index(data, size, pbs::datastore::kFixedIndexMagic);
}
