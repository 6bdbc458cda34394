#include "executor_rig.h"

#include <functional>
#include <set>

#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "datastore/names.h"
#include "remote/key_layout.h"

namespace pbs::test {

testgen::GenConfig small_datastore() {
  testgen::GenConfig c;
  c.vms = 1;
  c.cts = 1;
  c.hosts = 1;
  c.snapshots = 3;
  c.fixed_chunk_size = 16 * 1024;
  c.disk_chunks = 8;
  c.dynamic_avg_chunk = 8 * 1024;
  c.archive_chunks = 6;
  c.encrypted_group = false;
  c.extras = false;
  return c;
}

ExecutorRig::ExecutorRig(const testgen::GenConfig& config) { must(testgen::generate(root, config)); }

datastore::Datastore ExecutorRig::store() const { return must(datastore::Datastore::open(root)); }

push::SyncSummary ExecutorRig::sync(push::SyncOptions options) {
  auto ds = store();
  return must(push::run_sync(ds, s3, remote, options, {}));
}

restore::RestoreSummary ExecutorRig::restore(const std::string& into, restore::RestoreOptions options) {
  return must(restore::run_restore(s3, remote, into, options));
}

std::vector<std::string> ExecutorRig::remote_keys(std::string_view rel_prefix) const {
  std::vector<std::string> out;
  for (const auto& k : s3.keys(remote.key(rel_prefix))) out.push_back(k.substr(remote.prefix.size() + 1));
  return out;
}

std::vector<std::string> ExecutorRig::manifests() const {
  std::vector<std::string> out;
  for (const auto& k : remote_keys(remote::kContentDir)) {
    if (k.ends_with("/" + std::string(datastore::kManifestName))) out.push_back(k);
  }
  return out;
}

bool ExecutorRig::has(const std::string& rel) const { return s3.objects.count(remote.key(rel)) > 0; }

std::set<std::string> referenced_remotely(const ExecutorRig& rig) {
  std::set<std::string> out;
  for (const auto& key : rig.manifests()) {
    auto snap = must(remote::parse_content_key(std::string_view(key).substr(remote::kContentDir.size()))).snapshot;
    auto m = must(datastore::parse_manifest_blob(rig.s3.objects.at(rig.remote.key(key)).body));
    for (const auto& f : m.files) {
      auto kind = datastore::snapshot_file_kind(f.filename);
      if (!kind || !datastore::is_index_kind(*kind)) continue;
      auto& obj = rig.s3.objects.at(rig.remote.key(remote::snapshot_file_rel_key(snap, f.filename)));
      for (const auto& d : must(datastore::parse_index(obj.body)).digests) out.insert(remote::chunk_rel_key(d));
    }
  }
  return out;
}

void check_remote_snapshots_whole(const ExecutorRig& rig) {
  for (const auto& key : rig.manifests()) {
    INFO("remote manifest " << key);
    auto ck = must(remote::parse_content_key(std::string_view(key).substr(remote::kContentDir.size())));
    const auto& snap = ck.snapshot;
    auto m = must(datastore::parse_manifest_blob(rig.s3.objects.at(rig.remote.key(key)).body));
    CHECK(rig.has(remote::group_file_rel_key(snap.group, datastore::kOwnerName)));
    for (const auto& f : m.files) {
      std::string file_key = remote::snapshot_file_rel_key(snap, f.filename);
      REQUIRE(rig.has(file_key));
      auto kind = datastore::snapshot_file_kind(f.filename);
      if (!kind || !datastore::is_index_kind(*kind)) continue;
      auto ix = must(datastore::parse_index(rig.s3.objects.at(rig.remote.key(file_key)).body));
      for (const auto& d : ix.digests) {
        if (!rig.has(remote::chunk_rel_key(d))) FAIL("missing chunk " << remote::chunk_rel_key(d));
      }
    }
  }
}

namespace {
// Calls `each(snapshot, chunk key)` for every chunk reference of every finished snapshot.
void each_reference(const std::string& root,
                    const std::function<void(const datastore::SnapshotRef&, const std::string&)>& each) {
  auto store = must(datastore::Datastore::open(root));
  datastore::WalkVisitor v;
  v.on_group = [&](const datastore::GroupRef&, std::vector<datastore::SnapshotInfo>&& snaps) -> Status {
    for (const auto& s : snaps) {
      if (!s.finished) continue;
      for (const auto& f : must(store.read_manifest(s.ref)).files) {
        auto kind = datastore::snapshot_file_kind(f.filename);
        if (!kind || !datastore::is_index_kind(*kind)) continue;
        for (const auto& d : must(store.read_index(s.ref, f.filename)).digests) each(s.ref, remote::chunk_rel_key(d));
      }
    }
    return {};
  };
  must(store.walk({}, {}, v));
}
}  // namespace

std::vector<std::string> local_chunk_keys(const std::string& root) {
  std::set<std::string> keys;
  each_reference(root, [&](const datastore::SnapshotRef&, const std::string& key) { keys.insert(key); });
  return {keys.begin(), keys.end()};
}

std::set<std::string> snapshots_using(const std::string& root, const std::string& chunk_key) {
  std::set<std::string> out;
  each_reference(root, [&](const datastore::SnapshotRef& s, const std::string& key) {
    if (key == chunk_key) out.insert(s.rel_dir());
  });
  return out;
}

}  // namespace pbs::test
