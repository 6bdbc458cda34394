#include "remote_fixtures.h"

#include <cmath>

#include "datastore/names.h"
#include "remote/key_layout.h"
#include "util/sha256.h"

namespace pbs::test {

std::string stray_chunk_rel(unsigned n) { return remote::chunk_rel_key(sha256("stray chunk " + std::to_string(n))); }

std::string put_stray_chunk(ExecutorRig& rig, unsigned n, std::int64_t modified) {
  std::string rel = stray_chunk_rel(n);
  std::vector<std::uint8_t> body(100 + n % 7, std::uint8_t(n));
  if (rig.s3.versioned()) {
    rig.s3.put_version(rig.remote.key(rel), std::move(body), modified);
  } else {
    rig.s3.objects[rig.remote.key(rel)] = FakeS3::Object(std::move(body), modified);
  }
  return rel;
}

std::set<std::string> remote_chunk_keys(const ExecutorRig& rig) {
  auto keys = rig.remote_keys(remote::kChunksDir);
  return {keys.begin(), keys.end()};
}

std::vector<std::string> snapshot_files(const ExecutorRig& rig, const std::string& manifest_rel) {
  std::string dir = manifest_rel.substr(0, manifest_rel.rfind('/') + 1);
  return rig.remote_keys(dir);
}

std::pair<std::string, std::set<std::string>> snapshot_with_own_chunks(ExecutorRig& rig) {
  auto all = referenced_remotely(rig);
  for (const auto& m : rig.manifests()) {
    auto saved = rig.s3.objects.at(rig.remote.key(m));
    rig.s3.objects.erase(rig.remote.key(m));
    auto rest = referenced_remotely(rig);
    rig.s3.objects[rig.remote.key(m)] = saved;
    std::set<std::string> own;
    for (const auto& k : all) {
      if (!rest.count(k)) own.insert(k);
    }
    if (!own.empty()) return {m, own};
  }
  FAIL("no snapshot references a chunk of its own");
  return {};
}

void mid_second(FakeS3& s3) {
  double t = std::chrono::duration<double>(s3.now().time_since_epoch()).count();
  s3.advance(std::floor(t) + 1.5 - t);
}

std::string text_of(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

}  // namespace pbs::test
