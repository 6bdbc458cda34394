// libFuzzer target: manifest JSON and manifest blob parsing.
#include <string_view>

#include "datastore/blob.h"
#include "datastore/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pbs::datastore;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = parse_manifest_json(text);
  if (m) {
    // What parses must serialise and parse back to the same manifest.
    auto again = parse_manifest_blob(encode_manifest_blob(*m));
    if (!again || manifest_to_json(*again) != manifest_to_json(*m)) __builtin_trap();
  }
  (void)parse_manifest_blob(std::span(data, size));
  return 0;
}
