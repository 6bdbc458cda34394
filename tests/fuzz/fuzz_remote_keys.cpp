// libFuzzer target: bucket keys, which restore turns into local paths. A key that parses must be
// the canonical key of what it parsed to (so two keys never name one file) and must give a path
// inside the datastore: no empty, "." or ".." component, not absolute.
#include <string>
#include <string_view>

#include "remote/key_layout.h"
#include "util/text.h"

namespace {

bool safe_relative_path(std::string_view path) {
  for (auto part : pbs::split(path, '/')) {
    if (part.empty() || part == "." || part == "..") return false;  // an empty first part: absolute
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rel(reinterpret_cast<const char*>(data), size);
  using pbs::remote::ContentKey;
  if (auto key = pbs::remote::parse_content_key(rel)) {
    std::string canonical;
    switch (key->kind) {
      case ContentKey::Kind::namespace_marker: canonical = pbs::remote::namespace_marker_rel_key(key->ns); break;
      case ContentKey::Kind::group_file: canonical = pbs::remote::group_file_rel_key(key->group, key->file); break;
      case ContentKey::Kind::snapshot_file:
        canonical = pbs::remote::snapshot_file_rel_key(key->snapshot, key->file);
        break;
    }
    if (canonical != std::string(pbs::remote::kContentDir) + std::string(rel)) __builtin_trap();
    if (!safe_relative_path(rel)) __builtin_trap();
  }
  if (auto digest = pbs::remote::parse_chunk_key(rel)) {
    if (pbs::remote::chunk_rel_key(*digest) != std::string(pbs::remote::kChunksDir) + std::string(rel)) __builtin_trap();
  }
  return 0;
}
