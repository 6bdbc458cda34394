// `pbs-s3sync sync` end to end: the real binary, a generated datastore, radosgw.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "datagen.h"
#include "datastore/datastore.h"
#include "datastore/inventory.h"
#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;
using json = nlohmann::json;


TEST_CASE("sync mirrors the datastore byte for byte in PBS's layout, and nothing else", "[sync]") {
  SyncRig rig;
  auto r = rig.sync();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  auto stats = must(datastore::build_inventory(must(datastore::Datastore::open(rig.root))));
  CHECK(j["snapshots"]["uploaded"] == stats.snapshots);
  CHECK(j["snapshots"]["failed"] == 0);
  CHECK(j["snapshots"]["unfinished"] == 1);
  CHECK(j["chunks"]["uploaded"] == stats.unique_chunks);

  for (const auto& [k, o] : rig.remote()) CHECK_FALSE(k.ends_with("/"));  // no directory markers
  check_exact_mirror(rig);
  CHECK(check_no_incomplete_manifest(rig) > 0);
}

TEST_CASE("a second run with no change uploads nothing and costs a few requests", "[sync]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  std::size_t cnt = 0;
  for (const auto& [k, o] : rig.remote()) cnt += k.starts_with(".cnt/");
  auto r = rig.sync();
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["uploaded"] == 0);
  CHECK(j["chunks"]["uploaded"] == 0);
  CHECK(j["files"]["uploaded"] == 0);
  CHECK(j["bytes-sent"] == 0);
  std::size_t requests = j["requests"]["total"];
  INFO(j["requests"].dump());
  // GET .in-use, GET the source record, GET the encryption record (a plain run must
  // not write into an encrypted prefix), GET the retention record (a lock must not lapse unsaid),
  // and the .cnt/ listing: all sent at once.
  CHECK(requests <= 4 + (cnt + 999) / 1000);
  CHECK(j["requests"]["by-operation"].value("PutObject", 0) == 0);
}

TEST_CASE("after a new snapshot with ~1% change only its new chunks and files go up", "[sync]") {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 200;
  cfg.archive_chunks = 100;
  cfg.encrypted_group = false;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  auto before = expected_objects(rig.root);
  auto added = must(testgen::add_snapshots(rig.root, 0.01, 77));
  auto after = expected_objects(rig.root);
  std::size_t new_chunks = 0, new_files = 0;
  for (const auto& [k, p] : after) {
    if (before.count(k)) continue;
    (k.starts_with(".chunks/") ? new_chunks : new_files)++;
  }
  REQUIRE(new_chunks > 0);
  auto r = rig.sync();
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["uploaded"] == added.paths.size());
  CHECK(j["chunks"]["uploaded"] == new_chunks);
  CHECK(j["files"]["uploaded"] == new_files);
  // The normal night: new chunks go straight up with If-None-Match, no HEAD, no listing of them.
  CHECK(j["chunks"]["check"] == "conditional-put");
  CHECK(j["requests"]["by-operation"].value("HeadObject", 0) == 0);
  std::size_t requests = j["requests"]["total"];
  INFO(j["requests"].dump());
  CHECK(requests <= new_chunks + new_files + 8);  // the fixed ones include the encryption and retention records' GETs
  CHECK(check_no_incomplete_manifest(rig) > 0);
}

TEST_CASE("kill -9 at several points never leaves a manifest with missing pieces", "[sync][crash]") {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 120;
  SyncRig rig(cfg);
  std::size_t all_manifests = must(datastore::build_inventory(must(datastore::Datastore::open(rig.root)))).snapshots;
  int landed_mid_run = 0;  // killed while the bucket held some of the snapshots but not all
  for (int delay_ms : {150, 400, 700, 1100, 1600}) {
    INFO("killed after " << delay_ms << " ms");
    BackgroundCommand run(rig.argv({"--bandwidth-limit", "2M", "-j", "4"}), rig.env());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    run.kill(SIGKILL);
    auto r = run.wait();
    std::size_t manifests = check_no_incomplete_manifest(rig);
    landed_mid_run += r.exit_code == 128 + SIGKILL && manifests < all_manifests && !rig.remote().empty();
  }
  CHECK(landed_mid_run >= 2);
  auto r = rig.sync();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto expected = expected_objects(rig.root);
  auto remote = rig.remote();
  for (const auto& [k, p] : expected) CHECK(remote.count(k));
  CHECK(check_no_incomplete_manifest(rig) > 0);
  // What earlier runs stored is not sent again.
  auto j = parse_summary(r);
  CHECK(std::size_t(j["chunks"]["uploaded"]) < expected.size());
}

TEST_CASE("SIGTERM stops a sync cleanly: summary, recorded run, no half snapshot", "[sync][crash]") {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 120;
  SyncRig rig(cfg);
  BackgroundCommand run(rig.argv({"--bandwidth-limit", "1M", "-j", "4"}), rig.env());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::size_t chunks = 0;
  while (chunks < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    chunks = 0;
    for (const auto& [key, obj] : rig.remote()) chunks += key.starts_with(".chunks/");
  }
  REQUIRE(chunks >= 5);
  auto t0 = std::chrono::steady_clock::now();
  run.kill(SIGTERM);
  auto r = run.wait();
  double secs = seconds_since(t0);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(secs < 10);  // what was in flight (at most a few chunks at 1 MB/s) finished
  auto j = parse_summary(r);
  CHECK(j["interrupted"] == true);
  CHECK_THAT(j["errors"].dump(), Catch::Contains("interrupted"));
  check_no_incomplete_manifest(rig);
  auto status = run_command({s3sync_bin(), "status", "--lock-file", rig.lock, "--config", rig.conf}, rig.env());
  CHECK_THAT(status.out, Catch::Contains("exit 1"));
  auto again = rig.sync();
  CHECK(again.exit_code == 0);
  CHECK(parse_summary(again)["chunks"]["present"].get<std::size_t>() > 0);
}

TEST_CASE("a second concurrent run exits 3 naming the holder", "[sync]") {
  SyncRig rig;
  BackgroundCommand first(rig.argv({"--bandwidth-limit", "1M"}), rig.env());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto second = rig.sync();
  CHECK(second.exit_code == 3);
  CHECK_THAT(second.err, Catch::Contains("PID " + std::to_string(first.pid())));
  auto status = run_command({s3sync_bin(), "status", "--lock-file", rig.lock, "--config", rig.conf}, rig.env());
  CHECK_THAT(status.out, Catch::Contains("running: PID " + std::to_string(first.pid())));
  first.kill(SIGKILL);
  first.wait();
  // The kernel dropped the dead run's lock: the next run goes ahead.
  auto third = rig.sync();
  CHECK(third.exit_code == 0);
}

TEST_CASE("a corrupt chunk is not uploaded and its snapshots stay incomplete: exit 1", "[sync]") {
  SyncRig rig;
  auto damaged = must(testgen::corrupt_chunk(rig.root, testgen::ChunkDamage::flip_byte, 4));
  auto r = rig.sync();
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["failed"] >= 1);
  CHECK_THAT(j["errors"].dump(), Catch::Contains(damaged.paths[0]));
  auto remote = rig.remote();
  CHECK_FALSE(remote.count(damaged.paths[0]));
  CHECK(check_no_incomplete_manifest(rig) > 0);
  // Every snapshot that does not need the chunk made it.
  CHECK(j["snapshots"]["uploaded"].get<int>() + j["snapshots"]["failed"].get<int>() ==
        j["snapshots"]["in-scope"].get<int>());
}

TEST_CASE("an unreadable local chunk fails the snapshots that need it, names file, errno and user: exit 1",
          "[sync]") {
  SyncRig rig;
  std::string chunk;
  for (const auto& [key, path] : expected_objects(rig.root)) {
    if (key.starts_with(".chunks/")) chunk = key;  // the last one
  }
  REQUIRE_FALSE(chunk.empty());
  // Root reads every file whatever its mode: then the run goes as nobody, who may read all but
  // the one chunk, as a backup user would find a chunk left 0600 by another tool.
  std::vector<std::string> argv = rig.argv({});
  std::string who = "root";
  if (::geteuid() == 0) {
    namespace fs = std::filesystem;
    fs::permissions(rig.tmp.path(), fs::perms::all);
    for (const auto& e : fs::recursive_directory_iterator(rig.tmp.path())) {
      auto p = e.is_directory() ? fs::perms::all : fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
      fs::permissions(e.path(), p, fs::perm_options::add);
    }
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
    who = "nobody";
  }
  ::chmod((rig.root + "/" + chunk).c_str(), 0);
  auto r = run_command(argv, rig.env({"HOME=" + rig.tmp.path()}));
  INFO(r.err);
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["failed"] >= 1);
  CHECK(j["snapshots"]["uploaded"] >= 1);
  CHECK(j["snapshots"]["uploaded"].get<int>() + j["snapshots"]["failed"].get<int>() ==
        j["snapshots"]["in-scope"].get<int>());
  std::string errors = j["errors"].dump();
  CHECK_THAT(errors, Catch::Contains(rig.root + "/" + chunk + ": open failed: Permission denied (running as "));
  if (who == "nobody") CHECK_THAT(errors, Catch::Contains("(running as nobody)"));
  CHECK_FALSE(rig.remote().count(chunk));
  CHECK(check_no_incomplete_manifest(rig) > 0);
}

TEST_CASE("sync --mode full with nothing to send completes all of 40 snapshots: exit 0", "[sync]") {
  testgen::GenConfig cfg;
  cfg.vms = 1, cfg.cts = 0, cfg.hosts = 0, cfg.snapshots = 40, cfg.disk_chunks = 4;
  cfg.namespaces = false, cfg.encrypted_group = false, cfg.extras = false;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  auto r = rig.sync({"--mode", "full"});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["updated"] == 40);
  CHECK(j["snapshots"]["failed"] == 0);
  CHECK(j["requests"]["by-operation"].value("PutObject", 0) == 0);
}

TEST_CASE("wrong credentials, missing bucket, unreachable endpoint: exit 4 in seconds", "[sync]") {
  SyncRig rig;
  auto timed = [&](const std::vector<std::string>& extra_env, const std::string& target) {
    auto env = rig.env(extra_env);
    auto argv = rig.argv({});
    argv[3] = target;
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_command(argv, env);
    double secs = seconds_since(t0);
    CHECK(secs < 8);
    return r;
  };
  auto wrong = timed({"AWS_SECRET_ACCESS_KEY=not-the-right-secret-000000000000000"}, rig.target());
  CHECK(wrong.exit_code == 4);
  CHECK_THAT(wrong.err, Catch::Contains("AWS_SECRET_ACCESS_KEY"));
  CHECK_THAT(wrong.err, !Catch::Contains("not-the-right-secret"));
  auto missing = timed({}, "s3://" + unique_bucket("nobucket") + "/x");
  CHECK(missing.exit_code == 4);
  CHECK_THAT(missing.err, Catch::Contains("does not exist"));
  auto unreachable = timed({"AWS_ENDPOINT_URL=http://127.0.0.1:9"}, rig.target());
  CHECK(unreachable.exit_code == 4);
  CHECK_THAT(unreachable.err, Catch::Contains("127.0.0.1:9"));
}

TEST_CASE("libcurl's proxy variables carry every request, and no_proxy bypasses the proxy", "[sync]") {
  SyncRig rig;
  FaultProxy proxy;  // in forward-proxy mode it counts absolute-form requests and passes them on
  auto via = [&](const std::vector<std::string>& proxy_env) { return run_command(rig.argv({}), rig.env(proxy_env)); };
  auto first = via({"http_proxy=" + proxy.endpoint()});
  REQUIRE(first.exit_code == 0);
  auto j = parse_summary(first);
  CHECK(j["chunks"]["uploaded"].get<int>() > 0);
  auto stats = proxy.stats();
  CHECK(stats.proxied == j["requests"]["total"].get<int>());
  CHECK(stats.proxied == stats.requests);
  proxy.clear();
  auto second = via({"http_proxy=" + proxy.endpoint(), "no_proxy=127.0.0.1"});
  REQUIRE(second.exit_code == 0);
  CHECK(parse_summary(second)["requests"]["total"].get<int>() > 0);
  CHECK(proxy.stats().requests == 0);
}

TEST_CASE("a provider without conditional PUT: the first 501 switches If-None-Match off", "[sync]") {
  SyncRig rig;
  FaultProxy proxy;
  // Every PUT that carries If-None-Match is refused as radosgw would if it lacked the feature.
  proxy.rule("mode=status&status=501&code=NotImplemented&method=PUT&has_header=If-None-Match&count=1000000");
  auto r = run_command(rig.argv({"-j", "4"}), rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()}));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK_THAT(j["notices"].dump(), Catch::Contains("If-None-Match"));
  auto stats = proxy.stats();
  // Only the conditional PUTs already submitted when the first answer came back were refused
  // (the executor keeps at most 2 x parallelism requests submitted).
  CHECK(stats.faults >= 1);
  CHECK(stats.faults <= 8);
  std::size_t chunks = 0;
  for (const auto& [key, path] : expected_objects(rig.root)) chunks += key.starts_with(".chunks/");
  CHECK(j["chunks"]["uploaded"].get<std::size_t>() == chunks);
  for (const auto& [key, path] : expected_objects(rig.root)) {
    if (key.starts_with(".chunks/")) CHECK(rig.get(key) == read_bytes(path));
  }
}

TEST_CASE("access denied on uploads stops the run at once: exit 4, no manifest", "[sync]") {
  SyncRig rig;
  FaultProxy proxy;  // a key whose policy forbids writing chunks
  proxy.rule("mode=status&status=403&code=AccessDenied&method=PUT&path_contains=.chunks/&count=1000000");
  auto r = run_command(rig.argv({"-j", "4"}), rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()}));
  CHECK(r.exit_code == 4);
  auto j = parse_summary(r);
  std::string errors = j["errors"].dump();
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("AccessDenied"));
  CHECK_THAT(errors, Catch::Contains("lack permission"));
  CHECK_THAT(errors, Catch::Contains("the server refused this run"));
  // Only what was already submitted when the first refusal came back was sent (2 x parallelism).
  CHECK(proxy.stats().faults <= 8);
  CHECK(j["snapshots"]["uploaded"] == 0);
  for (const auto& [key, obj] : rig.remote()) CHECK_FALSE(key.ends_with("/index.json.blob"));
}

TEST_CASE("an endpoint lost mid-run stops the run once the outage outlasts --max-outage: exit 4, no manifest",
          "[sync]") {
  SyncRig rig;
  FaultProxy proxy;  // every chunk upload is reset, as when the uplink goes down
  proxy.rule("mode=reset&method=PUT&path_contains=.chunks/&count=1000000");
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_command(rig.argv({"-j", "4", "--max-outage", "10s"}), rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()}));
  double secs = seconds_since(t0);
  CHECK(r.exit_code == 4);
  auto j = parse_summary(r);
  std::string errors = j["errors"].dump();
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("could not be reached"));
  CHECK_THAT(errors, Catch::Contains("has not answered for"));
  // While it was gone, one request at a time probed it: far fewer attempts than chunks.
  std::size_t chunks = 0;
  for (const auto& [key, path] : expected_objects(rig.root)) chunks += key.starts_with(".chunks/");
  CHECK(std::size_t(proxy.stats().faults) < chunks);
  CHECK(secs < 60);
  for (const auto& [key, obj] : rig.remote()) CHECK_FALSE(key.ends_with("/index.json.blob"));
}

TEST_CASE("targets from the config file, and mutable files re-uploaded when they change", "[sync]") {
  SyncRig rig;
  const auto& e = s3_env();
  std::ofstream(rig.conf) << "# offsite\nSTORAGE=s3://" << rig.bucket << "@offsite:AWS_ACCESS_KEY_ID="
                          << e.access_key << ",AWS_SECRET_ACCESS_KEY=" << e.secret_key
                          << ",ENDPOINT=" << e.endpoint << ",PREFIX=" << rig.prefix
                          << "\nMAX_WORKERS=3\nSYNC_INTERVAL=3600\n";
  ::chmod(rig.conf.c_str(), 0600);
  std::vector<std::string> argv{s3sync_bin(), "sync", rig.root, "offsite", "--config", rig.conf,
                                "--lock-file", rig.lock, "--output", "json", "-j", "8"};
  std::vector<std::string> env{"PBS_S3SYNC_DATASTORE_CFG=/nonexistent"};
  auto r = run_command(argv, env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["parallelism"]["effective"] == 3);
  CHECK(j["parallelism"]["source"] == "MAX_WORKERS");
  CHECK_THAT(r.out + r.err, !Catch::Contains(e.secret_key));

  // Owner changes, a snapshot gets protected, another unprotected, notes appear.
  std::ofstream(rig.root + "/vm/100/owner") << "admin@pbs\n";
  std::ofstream(rig.root + "/vm/100/2026-11-02T02:00:00Z/.protected");
  std::filesystem::remove(rig.root + "/vm/100/2026-11-01T02:00:00Z/.protected");
  std::ofstream(rig.root + "/ct/201/notes") << "new notes";
  auto again = run_command(argv, env);
  REQUIRE(again.exit_code == 0);
  auto j2 = parse_summary(again);
  CHECK(j2["files"]["uploaded"] == 3);
  CHECK(j2["files"]["deleted"] == 1);
  auto remote = rig.remote();
  CHECK(rig.get(".cnt/vm/100/owner") == read_bytes(rig.root + "/vm/100/owner"));
  CHECK(remote.count(".cnt/vm/100/2026-11-02T02:00:00Z/.protected"));
  CHECK_FALSE(remote.count(".cnt/vm/100/2026-11-01T02:00:00Z/.protected"));
  CHECK(remote.count(".cnt/ct/201/notes"));

  auto status = run_command({s3sync_bin(), "status", "--lock-file", rig.lock, "--config", rig.conf, "--check"}, env);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("last success"));
  auto due = run_command({s3sync_bin(), "sync", rig.root, "offsite", "--config", rig.conf, "--lock-file",
                          rig.lock, "--if-due"}, env);
  CHECK(due.exit_code == 0);
  CHECK_THAT(due.out, Catch::Contains("not due"));
}

TEST_CASE("dry run sends no write, and remove-vanished deletes pruned snapshots manifest first", "[sync]") {
  SyncRig rig;
  auto dry = rig.sync({"--dry-run"});
  REQUIRE(dry.exit_code == 0);
  auto jd = parse_summary(dry);
  CHECK(jd["plan"]["objects"] > 0);
  CHECK(jd["requests"]["by-operation"].value("PutObject", 0) == 0);
  CHECK(jd["requests"]["by-operation"].value("DeleteObjects", 0) == 0);
  CHECK(rig.remote().empty());

  REQUIRE(rig.sync().exit_code == 0);
  auto pruned = must(testgen::prune(rig.root, 1));
  REQUIRE(pruned.paths.size() > 2);
  auto limited = rig.sync({"--remove-vanished", "--max-delete", "2"});
  REQUIRE(limited.exit_code == 0);
  auto jl = parse_summary(limited);
  CHECK(jl["snapshots"]["removed"] == 2);
  CHECK(jl["snapshots"]["not-removed"] == pruned.paths.size() - 2);
  // The rest is more than half of what is left remotely: without --max-delete nothing goes.
  auto before = rig.remote().size();
  auto refused = rig.sync({"--remove-vanished"});
  CHECK(refused.exit_code == 1);
  auto jr = parse_summary(refused);
  CHECK(jr["snapshots"]["removed"] == 0);
  CHECK(jr["snapshots"]["not-removed"] == pruned.paths.size() - 2);
  CHECK_THAT(jr["errors"].dump(), Catch::Contains("nothing removed; pass --max-delete"));
  CHECK(rig.remote().size() == before);
  auto all = rig.sync({"--remove-vanished", "--max-delete", std::to_string(pruned.paths.size())});
  REQUIRE(all.exit_code == 0);
  auto remote = rig.remote();
  for (const auto& p : pruned.paths) {
    for (const auto& [k, o] : remote) CHECK_FALSE(k.starts_with(".cnt/" + p + "/"));
  }
  CHECK(check_no_incomplete_manifest(rig) > 0);
}

TEST_CASE("remove-vanished from an empty datastore deletes nothing and fails, unless --max-delete covers it", "[sync]") {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 40;
  cfg.archive_chunks = 20;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  auto before = rig.remote();
  std::size_t manifests = check_no_incomplete_manifest(rig);
  REQUIRE(manifests > 0);
  // The same path, re-initialised: a valid datastore without a snapshot.
  for (const auto& entry : std::filesystem::directory_iterator(rig.root)) {
    if (entry.path().filename() != ".chunks") std::filesystem::remove_all(entry.path());
  }
  auto r = rig.sync({"--remove-vanished"});
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["removed"] == 0);
  CHECK_THAT(j["errors"].dump(), Catch::Contains("would remove every one of the " + std::to_string(manifests) +
                                                 " remote snapshots"));
  CHECK(rig.remote().size() == before.size());
  auto dry = rig.sync({"--remove-vanished", "--dry-run"});  // a dry run says the same
  CHECK(dry.exit_code == 1);
  auto covered = rig.sync({"--remove-vanished", "--max-delete", std::to_string(manifests)});
  CHECK(covered.exit_code == 0);
  CHECK(parse_summary(covered)["snapshots"]["removed"] == manifests);
  CHECK(check_no_incomplete_manifest(rig) == 0);
}

TEST_CASE("a datastore reached as DIR/. or DIR/ syncs into the prefix of its name, as one source", "[sync]") {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 20;
  cfg.archive_chunks = 10;
  SyncRig rig(cfg);
  auto sync_as = [&](const std::string& path) {
    return run_command({s3sync_bin(), "sync", path, "s3://" + rig.bucket, "--config", rig.conf, "--lock-file", rig.lock,
                        "--output", "json"},
                       rig.env());
  };
  auto first = sync_as(rig.root + "/.");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  check_exact_mirror(rig);  // under "store1/", the directory's name, not "."
  auto again = sync_as(rig.root + "/../store1/");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);  // the same source: not refused as another one
  CHECK(parse_summary(again)["chunks"]["uploaded"] == 0);
}

TEST_CASE("filters: namespace, depth, group filter, transfer-last", "[sync]") {
  SyncRig rig;
  auto r = rig.sync({"--ns", "prod", "--max-depth", "0", "--group-filter", "type:vm", "--transfer-last", "2"});
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["uploaded"] == 2);  // prod/vm/101, newest two
  std::set<std::string> snaps;
  for (const auto& [k, o] : rig.remote()) {
    if (k.ends_with("/index.json.blob")) snaps.insert(k);
  }
  CHECK(snaps == std::set<std::string>{".cnt/ns/prod/vm/101/2026-11-02T02:10:00Z/index.json.blob",
                                       ".cnt/ns/prod/vm/101/2026-11-03T02:10:00Z/index.json.blob"});
  auto bad = rig.sync({"--group-filter", "kind:vm"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("an option that takes one value leaves the positionals alone: --group-filter X DATASTORE TARGET",
          "[sync]") {
  SyncRig rig;
  auto r = run_command({s3sync_bin(), "sync", "--group-filter", "group:vm/101", "--group-filter", "group:ct/200",
                        rig.root, rig.target(), "--config", rig.conf, "--lock-file", rig.lock, "--output", "json"},
                       rig.env());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> groups;
  for (const auto& [k, o] : rig.remote()) {
    if (!k.ends_with("/index.json.blob")) continue;
    auto rel = k.substr(5);
    groups.insert(rel.substr(0, rel.rfind('/', rel.rfind('/') - 1)));
  }
  CHECK(groups == std::set<std::string>{"ns/prod/vm/101", "ns/prod/ns/db/ct/200"});
}

TEST_CASE("a prefix that PBS marked in use is refused unless forced", "[sync]") {
  SyncRig rig;
  auto body = std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>{'{', '}'});
  REQUIRE(rig.engine->execute(s3::put_object(rig.bucket, rig.prefix + "/.in-use", body)));
  auto r = rig.sync();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(".in-use"));
  CHECK(rig.sync({"--force-in-use"}).exit_code == 0);
}
