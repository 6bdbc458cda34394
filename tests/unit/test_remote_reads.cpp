// Reading the target against the in-memory bucket: what complete snapshots reference (with a
// vanished or garbled manifest), the remote inventory, and reads at a point in time (listing,
// catalog, restore) from object versions and delete markers.
#include <algorithm>
#include <map>

#include "check/remote_inventory.h"
#include "datastore/inventory.h"
#include "datastore/names.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "remote/references.h"
#include "remote_fixtures.h"

using namespace pbs;
using namespace pbs::test;

namespace {

struct References {
  Status status;
  std::size_t digests = 0;
  std::size_t snapshots = 0;
};

References collect(ExecutorRig& rig, const remote::RemoteCatalog& catalog, std::vector<std::string>* skipped) {
  datastore::DigestSet out;
  References r;
  r.status = remote::collect_referenced(rig.s3, rig.remote, catalog, out, r.snapshots, skipped);
  r.digests = out.size();
  return r;
}

remote::Remote at(const ExecutorRig& rig, std::int64_t as_of) {
  remote::Remote r = rig.remote;
  r.as_of = as_of;
  return r;
}

// The keys (relative) and version ids a point-in-time listing hands over.
std::map<std::string, std::string> listed(ExecutorRig& rig, std::int64_t as_of, std::string_view rel_prefix) {
  std::map<std::string, std::string> out;
  must(remote::list_remote(rig.s3, at(rig, as_of), rel_prefix, false,
                         [&](std::string_view rel, const s3::ObjectInfo& o) { out.emplace(rel, o.version_id); }));
  return out;
}

const datastore::GroupSummary* group_of(const datastore::Inventory& inv, const datastore::GroupRef& ref) {
  for (const auto& g : inv.groups) {
    if (g.ref == ref) return &g;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("references: a manifest that vanished after the listing is an error, or skipped and named", "[references]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto catalog = must(remote::load_catalog(rig.s3, rig.remote));
  std::string manifest = rig.manifests().back();
  rig.s3.objects.erase(rig.remote.key(manifest));
  auto strict = collect(rig, catalog, nullptr);
  REQUIRE_FALSE(strict.status);
  CHECK(strict.status.error().code() == Errc::remote);
  CHECK(strict.status.error().message() == rig.remote.key(manifest) + ": vanished");

  std::vector<std::string> skipped;
  auto lenient = collect(rig, catalog, &skipped);
  REQUIRE(lenient.status);
  CHECK(skipped == std::vector<std::string>{rig.remote.key(manifest) + ": vanished"});
  CHECK(lenient.snapshots == 9);
  CHECK(lenient.digests == referenced_remotely(rig).size());  // the other eight snapshots' chunks
}

TEST_CASE("references: a garbled manifest is a corrupt error, or skipped while the rest is read", "[references]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto all = referenced_remotely(rig).size();
  auto [manifest, own] = snapshot_with_own_chunks(rig);
  rig.s3.objects.at(rig.remote.key(manifest)).body = {'n', 'o', 't', ' ', 'a', ' ', 'b', 'l', 'o', 'b'};
  auto catalog = must(remote::load_catalog(rig.s3, rig.remote));
  auto strict = collect(rig, catalog, nullptr);
  REQUIRE_FALSE(strict.status);
  CHECK(strict.status.error().code() == Errc::corrupt);
  CHECK(strict.status.error().message().starts_with(rig.remote.key(manifest) + ": "));

  std::vector<std::string> skipped;
  auto lenient = collect(rig, catalog, &skipped);
  REQUIRE(lenient.status);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].starts_with(rig.remote.key(manifest) + ": "));
  CHECK(lenient.digests == all - own.size());
}

TEST_CASE("remote inventory: snapshots, groups, owners, logical size and chunks as the local inventory says",
          "[inventory][remote]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto local = must(datastore::build_inventory(rig.store(), {}));
  auto remote = must(check::remote_inventory(rig.s3, rig.remote, {}));
  CHECK(remote.snapshots == 9);
  CHECK(remote.snapshots == local.snapshots);
  CHECK(remote.groups.size() == local.groups.size());
  CHECK(remote.namespaces == local.namespaces);
  CHECK(remote.logical_bytes == local.logical_bytes);
  CHECK(remote.unique_chunks == remote_chunk_keys(rig).size());
  CHECK(remote.unique_chunks == local.unique_chunks);
  std::uint64_t bytes = 0;
  for (const auto& k : remote_chunk_keys(rig)) bytes += rig.s3.objects.at(rig.remote.key(k)).body.size();
  CHECK(remote.unique_chunk_bytes == bytes);
  CHECK(remote.unfinished_snapshots == 0);
  CHECK(remote.problems.empty());
  for (const auto& g : local.groups) {
    auto* r = group_of(remote, g.ref);
    REQUIRE(r);
    CHECK(r->owner == g.owner);
    CHECK(r->owner.has_value());
    CHECK(r->snapshots.size() == g.snapshots.size());
  }
}

TEST_CASE("remote inventory: a snapshot without its manifest is counted unfinished in its group", "[inventory][remote]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::string manifest = rig.manifests().front();
  auto ck = must(remote::parse_content_key(std::string_view(manifest).substr(remote::kContentDir.size())));
  rig.s3.objects.erase(rig.remote.key(manifest));
  auto inv = must(check::remote_inventory(rig.s3, rig.remote, {}));
  CHECK(inv.snapshots == 8);
  CHECK(inv.unfinished_snapshots == 1);
  auto* g = group_of(inv, ck.snapshot.group);
  REQUIRE(g);
  CHECK(g->unfinished == 1);
  CHECK(g->snapshots.size() == 2);
}

TEST_CASE("remote inventory at a point in time: later snapshots and a later owner are not in it", "[inventory][pitr]") {
  ExecutorRig rig;
  rig.s3.versioning = "Enabled";
  REQUIRE(rig.sync().complete());
  rig.s3.advance(60);
  std::int64_t then = rig.s3.now_epoch();
  rig.s3.advance(60);
  must(testgen::add_snapshots(rig.root, 0.3, 7));
  REQUIRE(rig.sync().complete());
  auto group = must(remote::parse_content_key(rig.manifests().front().substr(remote::kContentDir.size()))).snapshot.group;
  auto owner_rel = remote::group_file_rel_key(group, datastore::kOwnerName);
  rig.s3.put(rig.remote.key(owner_rel), {'m', 'a', 'l', 'l', 'o', 'r', 'y', '\n'});

  auto now = must(check::remote_inventory(rig.s3, rig.remote, {}));
  CHECK(now.snapshots == 12);
  auto past = must(check::remote_inventory(rig.s3, at(rig, then), {}));
  CHECK(past.snapshots == 9);
  CHECK(past.unique_chunks < now.unique_chunks);
  CHECK(group_of(now, group)->owner == "mallory");
  CHECK(group_of(past, group)->owner != "mallory");
  CHECK(group_of(past, group)->owner.has_value());
}

TEST_CASE("point in time listing: deleted after the time is seen, written after it is not, hidden before it is not",
          "[pitr][listing]") {
  ExecutorRig rig;
  rig.s3.versioning = "Enabled";
  std::int64_t t = rig.s3.now_epoch() - 10000;
  auto key = [&](const std::string& rel) { return rig.remote.key(".cnt/" + rel); };
  std::string a_then = rig.s3.put_version(key("a"), {1}, t - 100);
  rig.s3.put_version(key("a"), {2}, t + 100);
  std::string b_then = rig.s3.put_version(key("b"), {1}, t - 100);
  rig.s3.add_delete_marker(key("b"), t + 100);
  rig.s3.put_version(key("c"), {1}, t + 100);
  rig.s3.put_version(key("d"), {1}, t - 100);
  rig.s3.add_delete_marker(key("d"), t - 50);
  rig.s3.add_delete_marker(key("e"), t - 100);
  std::string e_then = rig.s3.put_version(key("e"), {1}, t - 20);
  std::string f_then = rig.s3.put_version(key("f"), {1}, t);  // inclusive: written at the very second
  for (int i = 1; i <= 1010; ++i) rig.s3.put_version(key("f"), {2}, t + i);  // past the first page

  std::map<std::string, std::string> want = {{".cnt/a", a_then}, {".cnt/b", b_then}, {".cnt/e", e_then}, {".cnt/f", f_then}};
  CHECK(listed(rig, t, ".cnt/") == want);
  auto now = listed(rig, 0, ".cnt/");
  CHECK(now.size() == 4);
  CHECK(now.count(".cnt/c") == 1);
  CHECK(now.count(".cnt/b") == 0);
}

TEST_CASE("point in time catalog: a manifest overwritten or hidden later is read as it was", "[pitr][listing]") {
  ExecutorRig rig;
  rig.s3.versioning = "Enabled";
  REQUIRE(rig.sync().complete());
  auto manifests = rig.manifests();
  std::string overwritten = manifests[0], hidden = manifests[1];
  std::string original = rig.s3.objects.at(rig.remote.key(overwritten)).version_id;
  rig.s3.advance(60);
  std::int64_t then = rig.s3.now_epoch();
  rig.s3.advance(60);
  rig.s3.put_version(rig.remote.key(overwritten), {'x'});
  rig.s3.add_delete_marker(rig.remote.key(hidden));

  auto count_complete = [](const remote::RemoteCatalog& c) {
    return std::count_if(c.snapshots().begin(), c.snapshots().end(), [](const auto& s) { return s.second.complete(); });
  };
  auto now = must(remote::load_catalog(rig.s3, rig.remote));
  CHECK(count_complete(now) == 8);
  auto past = must(remote::load_catalog(rig.s3, at(rig, then)));
  CHECK(count_complete(past) == 9);
  auto ref = must(remote::parse_content_key(std::string_view(overwritten).substr(remote::kContentDir.size()))).snapshot;
  CHECK(past.snapshot(ref)->version(datastore::kManifestName) == original);
  CHECK(now.snapshot(ref)->version(datastore::kManifestName).empty());  // now: no versions asked for
}

TEST_CASE("restore at a point in time brings back the bytes of then after an attack overwrote and hid objects",
          "[pitr][restore]") {
  ExecutorRig rig;
  rig.s3.versioning = "Enabled";
  REQUIRE(rig.sync().complete());
  rig.s3.advance(60);
  std::int64_t then = rig.s3.now_epoch();
  rig.s3.advance(60);
  auto manifests = rig.manifests();
  std::string owner = remote::group_file_rel_key(
      must(remote::parse_content_key(manifests[0].substr(remote::kContentDir.size()))).snapshot.group, datastore::kOwnerName);
  std::string chunk = *referenced_remotely(rig).begin();
  rig.s3.put(rig.remote.key(owner), {'m', 'a', 'l', 'l', 'o', 'r', 'y', '\n'});
  for (const auto& m : manifests) rig.s3.put(rig.remote.key(m), {'x'});
  rig.s3.add_delete_marker(rig.remote.key(chunk));

  std::string into = rig.tmp.sub("restored");
  rig.remote.as_of = then;
  auto s = rig.restore(into);
  CHECK(s.complete());
  CHECK(s.snapshots_restored == 9);
  auto local = [&](const std::string& root, const std::string& rel) {
    return read_bytes(root + "/" + (rel.starts_with(remote::kContentDir) ? rel.substr(remote::kContentDir.size()) : rel));
  };
  CHECK(local(into, owner) == local(rig.root, owner));
  CHECK(local(into, chunk) == local(rig.root, chunk));
  for (const auto& m : manifests) CHECK(local(into, m) == local(rig.root, m));
}
