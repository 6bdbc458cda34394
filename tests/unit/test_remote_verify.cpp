// `verify TARGET` against the in-memory bucket: a missing chunk or index is named on the
// snapshots it breaks, --deep finds a damaged chunk, and a point in time checks the bucket as it
// was then.
#include <algorithm>

#include "check/remote_verify.h"
#include "datastore/names.h"
#include "remote/key_layout.h"
#include "remote_fixtures.h"

using namespace pbs;
using namespace pbs::test;

namespace {

check::RemoteVerifySummary verify(ExecutorRig& rig, bool deep = false, std::int64_t as_of = 0) {
  check::RemoteVerifyOptions o;
  o.deep = deep;
  remote::Remote remote = rig.remote;
  remote.as_of = as_of;
  return must(check::run_remote_verify(rig.s3, remote, o));
}

std::set<std::string> failed_snapshots(const check::RemoteVerifySummary& s) {
  std::set<std::string> out;
  for (const auto& f : s.failed) out.insert(f.snapshot);
  return out;
}

bool mentions(const check::SnapshotVerdict& v, const std::string& text) {
  return std::any_of(v.problems.begin(), v.problems.end(), [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

// The chunk used by the fewest snapshots, and those snapshots.
std::pair<std::string, std::set<std::string>> rarest_chunk(const ExecutorRig& rig) {
  std::pair<std::string, std::set<std::string>> best;
  for (const auto& k : local_chunk_keys(rig.root)) {
    auto users = snapshots_using(rig.root, k);
    if (best.first.empty() || users.size() < best.second.size()) best = {k, users};
  }
  return best;
}

}  // namespace

TEST_CASE("remote verify: a whole bucket verifies, and a missing chunk is named on every snapshot using it",
          "[verify][remote]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto clean = verify(rig);
  CHECK(clean.ok());
  CHECK(clean.snapshots == 9);
  CHECK(clean.snapshots_ok == 9);
  CHECK(clean.chunks_missing == 0);
  CHECK(clean.chunks_listed == clean.chunks_referenced);

  auto [chunk, users] = rarest_chunk(rig);
  rig.s3.objects.erase(rig.remote.key(chunk));
  auto s = verify(rig);
  CHECK_FALSE(s.ok());
  CHECK(s.chunks_missing == 1);
  CHECK(s.chunks_listed == clean.chunks_listed - 1);
  CHECK(s.snapshots_ok == 9 - users.size());
  CHECK(failed_snapshots(s) == users);
  for (const auto& f : s.failed) CHECK(mentions(f, "missing chunk " + rig.remote.key(chunk)));
}

TEST_CASE("remote verify: a missing index is reported on its own snapshot only", "[verify][remote]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::string manifest = rig.manifests().front();
  auto files = snapshot_files(rig, manifest);
  auto index = std::find_if(files.begin(), files.end(), [](const std::string& f) {
    return f.ends_with(".fidx") || f.ends_with(".didx");
  });
  REQUIRE(index != files.end());
  rig.s3.objects.erase(rig.remote.key(*index));
  auto s = verify(rig);
  REQUIRE(s.failed.size() == 1);
  CHECK(manifest == std::string(remote::kContentDir) + s.failed[0].snapshot + "/" + std::string(datastore::kManifestName));
  CHECK(mentions(s.failed[0], rig.remote.key(*index) + ": listed in the manifest but missing"));
  CHECK(s.snapshots_ok == 8);
}

TEST_CASE("remote verify --deep: a damaged chunk is downloaded, found and named on its snapshots", "[verify][remote]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto [chunk, users] = rarest_chunk(rig);
  auto& body = rig.s3.objects.at(rig.remote.key(chunk)).body;
  body[body.size() / 2] ^= 0x40;
  auto shallow = verify(rig);
  CHECK(shallow.ok());  // a listing cannot see damage
  auto s = verify(rig, true);
  CHECK_FALSE(s.ok());
  CHECK(s.chunks_bad == 1);
  CHECK(s.chunks_downloaded == s.chunks_referenced);
  CHECK(failed_snapshots(s) == users);
  for (const auto& f : s.failed) CHECK(mentions(f, "damaged chunk " + rig.remote.key(chunk)));
}

TEST_CASE("remote verify at a point in time checks the versions current then, not later damage", "[verify][remote][pitr]") {
  ExecutorRig rig;
  rig.s3.versioning = "Enabled";
  REQUIRE(rig.sync().complete());
  rig.s3.advance(3600);
  std::int64_t before = rig.s3.now_epoch();
  rig.s3.advance(3600);
  const std::string chunk = rarest_chunk(rig).first;  // (not a binding: lambdas capture it)
  rig.s3.add_delete_marker(rig.remote.key(chunk));
  auto referenced = referenced_remotely(rig);
  std::string other = *std::find_if(referenced.begin(), referenced.end(), [&](const std::string& k) { return k != chunk; });
  rig.s3.put_version(rig.remote.key(other), {1, 2, 3});  // overwritten with junk

  auto now = verify(rig, true);
  CHECK(now.chunks_missing == 1);
  CHECK(now.chunks_bad == 1);
  CHECK_FALSE(now.ok());
  auto then = verify(rig, true, before);
  CHECK(then.ok());
  CHECK(then.snapshots_ok == 9);
  CHECK(then.chunks_bad == 0);
  CHECK(then.chunks_downloaded == then.chunks_referenced);
  CHECK(then.target.find(" as of ") != std::string::npos);
}
