#include "sync_rig.h"

#include <set>

#include "datastore/datastore.h"

namespace pbs::test {

using json = nlohmann::json;

SyncRig::SyncRig(const testgen::GenConfig& cfg, bool object_lock) {
  must(testgen::generate(root, cfg));
  create_bucket(*engine, bucket, object_lock);
  std::ofstream(conf) << "# empty\n";
}

std::vector<std::string> SyncRig::env(const std::vector<std::string>& first) const {
  const auto& e = s3_env();
  std::vector<std::string> out = first;
  out.insert(out.end(), {"AWS_ACCESS_KEY_ID=" + e.access_key, "AWS_SECRET_ACCESS_KEY=" + e.secret_key,
                         "AWS_ENDPOINT_URL=" + e.endpoint, "AWS_REGION=" + e.region,
                         "PBS_S3SYNC_DATASTORE_CFG=/nonexistent",
                         // Exact request counts: no hedge on a loaded machine (test_s3_faults tests hedging).
                         "PBS_S3SYNC_HEDGE=0",
                         // An encrypted run's view (of a run killed on purpose, too) goes with the rig.
                         "TMPDIR=" + tmp.path()});
  return out;
}

std::vector<std::string> SyncRig::argv(const std::vector<std::string>& extra) const {
  std::vector<std::string> a{s3sync_bin(), "sync", root, target(), "--config", conf,
                             "--lock-file", lock, "--output", "json"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

CommandResult SyncRig::sync(const std::vector<std::string>& extra) const {
  return run_command(argv(extra), env());
}

CommandResult SyncRig::run(std::vector<std::string> args) const {
  args.insert(args.begin(), s3sync_bin());
  args.insert(args.end(), {"--config", conf});
  return run_command(args, env());
}

std::map<std::string, s3::ObjectInfo> SyncRig::remote() {
  transfer::ObjectStore store(*engine, bucket);
  s3::ListOptions o;
  o.prefix = prefix + "/";
  auto all = store.list_all(o);
  REQUIRE(all);
  std::map<std::string, s3::ObjectInfo> out;
  for (auto& obj : *all) out[obj.key.substr(o.prefix.size())] = obj;
  return out;
}

std::vector<std::uint8_t> SyncRig::get(const std::string& rel) {
  auto r = engine->execute(s3::get_object(bucket, prefix + "/" + rel));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return r->body;
}

void SyncRig::put(const std::string& rel, const std::vector<std::uint8_t>& body) {
  auto bytes = std::make_shared<const std::vector<std::uint8_t>>(body);
  auto r = engine->execute(s3::put_object(bucket, prefix + "/" + rel, bytes));
  REQUIRE(r);
}

json parse_summary(const CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

// What a complete mirror of the datastore must hold: key -> local file ("" for empty markers).
std::map<std::string, std::string> expected_objects(const std::string& root) {
  auto store = must(datastore::Datastore::open(root));
  std::map<std::string, std::string> out;
  datastore::WalkVisitor v;
  v.on_namespace = [&](const datastore::Namespace& ns) -> Status {
    if (!ns.is_root()) out[".cnt/" + ns.rel_dir() + "/.namespace"] = "";
    return {};
  };
  v.on_group = [&](const datastore::GroupRef& g, std::vector<datastore::SnapshotInfo>&& snaps) -> Status {
    bool any = false;
    for (const auto& s : snaps) {
      if (!s.finished) continue;
      any = true;
      for (const auto& f : s.files) out[".cnt/" + s.ref.rel_dir() + "/" + f] = store.path(s.ref.rel_dir() + "/" + f);
      auto m = must(store.read_manifest(s.ref));
      for (const auto& f : m.files) {
        auto kind = datastore::snapshot_file_kind(f.filename);
        if (!kind || !datastore::is_index_kind(*kind)) continue;
        auto ix = must(store.read_index(s.ref, f.filename));
        for (const auto& d : ix.digests) out[datastore::chunk_rel_path(d)] = store.chunk_path(d);
      }
    }
    if (any) {
      for (const char* f : {"owner", "notes"}) {
        std::string p = store.path(g.rel_dir() + "/" + f);
        if (file_exists(p)) out[".cnt/" + g.rel_dir() + "/" + f] = p;
      }
    }
    return {};
  };
  must(store.walk({}, {}, v));
  return out;
}

void check_exact_mirror(SyncRig& rig) {
  auto expected = expected_objects(rig.root);
  std::set<std::string> remote_keys, expected_keys;
  for (const auto& [k, o] : rig.remote()) {
    if (!k.starts_with(".pbs-s3sync/")) remote_keys.insert(k);
  }
  for (const auto& [k, p] : expected) expected_keys.insert(k);
  CHECK(remote_keys == expected_keys);
  for (const auto& [key, path] : expected) {
    INFO(key);
    auto body = rig.get(key);
    if (path.empty()) {
      CHECK(body.empty());
    } else {
      CHECK(body == read_bytes(path));
    }
  }
}

void check_restored_identical(const std::string& source_root, const std::string& restored_root) {
  for (const auto& [key, path] : expected_objects(source_root)) {
    if (path.empty()) continue;  // namespace markers become directories
    std::string rel = key.starts_with(".cnt/") ? key.substr(5) : key;
    INFO(rel);
    CHECK(read_bytes(restored_root + "/" + rel) == read_bytes(path));
  }
}

// Every remote manifest's snapshot has all its files and chunks remotely: the remote manifest
// names the files, the remote indexes name the chunks (what a restore from the bucket would read).
std::size_t check_no_incomplete_manifest(SyncRig& rig) {
  auto remote = rig.remote();
  std::size_t manifests = 0;
  for (const auto& [key, obj] : remote) {
    if (!key.ends_with("/index.json.blob")) continue;
    ++manifests;
    INFO("remote manifest " << key);
    std::string dir = key.substr(0, key.size() - std::string("index.json.blob").size());
    std::string group_dir = dir.substr(0, dir.rfind('/', dir.size() - 2) + 1);
    CHECK(remote.count(group_dir + "owner"));
    auto manifest = datastore::parse_manifest_blob(rig.get(key));
    REQUIRE(manifest);
    for (const auto& f : manifest->files) {
      INFO(f.filename);
      REQUIRE(remote.count(dir + f.filename));
      auto kind = datastore::snapshot_file_kind(f.filename);
      if (!kind || !datastore::is_index_kind(*kind)) continue;
      auto ix = datastore::parse_index(rig.get(dir + f.filename));
      REQUIRE(ix);
      for (const auto& d : ix->digests) {
        if (!remote.count(datastore::chunk_rel_path(d))) FAIL("missing chunk " << datastore::chunk_rel_path(d));
      }
    }
  }
  return manifests;
}


}  // namespace pbs::test
