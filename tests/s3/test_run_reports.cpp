// What a run tells monitoring and people, through the real binary and radosgw: a JSON document and
// a metrics file for every run, failures included; messages that fit the cause; keys with control
// bytes escaped; thousands of junk keys reported in one line; a missing listed file caught.
#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "datagen.h"
#include "datastore/datastore.h"
#include "host/run_lock.h"
#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;
namespace fs = std::filesystem;

namespace {

testgen::GenConfig tiny() {
  testgen::GenConfig cfg;
  cfg.vms = 1, cfg.cts = 1, cfg.hosts = 0, cfg.snapshots = 2;
  cfg.disk_chunks = 8, cfg.archive_chunks = 6;
  cfg.namespaces = false, cfg.encrypted_group = false, cfg.extras = false;
  return cfg;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("every sync prints one JSON document and writes its metrics, exit 2, 3 and 4 included", "[report]") {
  SyncRig rig(tiny());
  std::string metrics = rig.tmp.sub("metrics.prom");
  REQUIRE(rig.sync({"--metrics-file", metrics}).exit_code == 0);
  std::string ok_metrics = slurp(metrics);
  CHECK_THAT(ok_metrics, Catch::Contains("pbs_s3sync_last_success_timestamp_seconds{"));

  // 4: the remote refuses. The document says why; the metrics keep the last success's time.
  auto wrong = run_command(rig.argv({"--metrics-file", metrics}),
                           rig.env({"AWS_SECRET_ACCESS_KEY=not-the-right-secret-000000000000000"}));
  CHECK(wrong.exit_code == 4);
  auto j = parse_summary(wrong);
  CHECK(j["exit-code"] == 4);
  CHECK(j["error"]["kind"] == "auth");
  CHECK_THAT(j["error"]["message"].get<std::string>(), Catch::Contains("AWS_SECRET_ACCESS_KEY"));
  std::string failed_metrics = slurp(metrics);
  CHECK_THAT(failed_metrics, Catch::Contains("pbs_s3sync_exit_code{datastore=\"" + rig.root));
  CHECK_THAT(failed_metrics, Catch::Contains("} 4\n"));
  CHECK_THAT(failed_metrics, Catch::Contains("pbs_s3sync_last_success_timestamp_seconds{"));
  CHECK(failed_metrics.find("not-the-right-secret") == std::string::npos);
  CHECK(wrong.out.find("not-the-right-secret") == std::string::npos);

  // 3: another run holds the lock.
  {
    auto held = must(host::RunLock::acquire(rig.lock, {::getpid(), "here", 0, "test", rig.root, rig.target()}));
    auto locked = rig.sync({"--metrics-file", metrics});
    CHECK(locked.exit_code == 3);
    auto l = parse_summary(locked);
    CHECK(l["exit-code"] == 3);
    CHECK(l["error"]["kind"] == "locked");
    CHECK_THAT(slurp(metrics), Catch::Contains("} 3\n"));
  }

  // 2: a bad configuration, before anything else is known.
  auto bad = run_command({s3sync_bin(), "sync", rig.root, "no-such-storage-id", "--config", rig.conf, "--output",
                          "json", "--lock-file", rig.lock, "--metrics-file", metrics},
                         rig.env());
  CHECK(bad.exit_code == 2);
  CHECK(parse_summary(bad)["exit-code"] == 2);
  CHECK_THAT(slurp(metrics), Catch::Contains("} 2\n"));

  // Other commands fail with one JSON document too.
  auto restore = run_command({s3sync_bin(), "restore", "s3://no-such-bucket-here/x", rig.tmp.sub("r"), "--config",
                              rig.conf, "--output", "json"},
                             rig.env());
  CHECK(restore.exit_code == 4);
  auto r = parse_summary(restore);
  CHECK(r["command"] == "restore");
  CHECK(r["error"]["kind"] == "no-such-bucket");
}

TEST_CASE("config check prints one JSON document under --output json, also when the bucket refuses", "[report]") {
  SyncRig rig(tiny());
  auto ok = rig.run({"config", "check", rig.target(), "--output", "json"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto j = parse_summary(ok);  // the whole of stdout is one document
  CHECK(j["command"] == "config check");
  CHECK(j["exit-code"] == 0);
  CHECK(j["target"] == rig.target());
  CHECK(j["bucket"]["reachable"] == true);
  CHECK(j["bucket"]["pbs-in-use-marker"] == false);
  CHECK(j["access-key"].get<std::string>().find('*') != std::string::npos);  // masked
  auto text = rig.run({"config", "check", rig.target()});
  CHECK_THAT(text.out, Catch::Contains("bucket: reachable, listing allowed"));

  auto refused = run_command({s3sync_bin(), "config", "check", rig.target(), "--output", "json", "--config", rig.conf},
                             rig.env({"AWS_SECRET_ACCESS_KEY=not-the-right-secret-000000000000000"}));
  CHECK(refused.exit_code == 4);
  auto e = parse_summary(refused);
  CHECK(e["command"] == "config check");
  CHECK(e["exit-code"] == 4);
  CHECK(e["error"]["kind"] == "auth");
  CHECK_THAT(e["error"]["message"].get<std::string>(), Catch::StartsWith("bucket check failed: "));
  CHECK(refused.out.find("not-the-right-secret") == std::string::npos);
  CHECK(refused.err.find("not-the-right-secret") == std::string::npos);
}

TEST_CASE("an empty or future --point-in-time is refused before anything is read, never taken as now", "[report]") {
  SyncRig rig(tiny());
  REQUIRE(rig.sync().exit_code == 0);
  for (const char* when : {"", "2099-01-01"}) {
    INFO("--point-in-time '" << when << "'");
    for (std::vector<std::string> cmd : {std::vector<std::string>{"list", rig.target()},
                                         std::vector<std::string>{"verify", rig.target()},
                                         std::vector<std::string>{"restore", rig.target(), rig.tmp.sub("restored")}}) {
      cmd.insert(cmd.end(), {"--point-in-time", when, "--output", "json"});
      auto r = rig.run(cmd);
      CHECK(r.exit_code == 2);
      auto j = parse_summary(r);
      CHECK_THAT(j["error"]["message"].get<std::string>(),
                 Catch::Contains(std::string(*when ? "in the future" : "it is empty")));
    }
  }
  CHECK_FALSE(std::filesystem::exists(rig.tmp.sub("restored")));
}

TEST_CASE("config check and sync against https:// on a plain HTTP port exit within seconds, naming the likely cause",
          "[report][tls]") {
  SyncRig rig(tiny());
  std::string plain = s3_env().endpoint;
  REQUIRE(plain.starts_with("http://"));
  auto env = rig.env({"AWS_ENDPOINT_URL=https://" + plain.substr(7)});
  std::vector<std::string> check{s3sync_bin(), "config", "check", rig.target(), "--config", rig.conf};
  for (const auto& argv : {check, rig.argv({})}) {
    INFO(argv[1]);
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_command(argv, env);
    double secs = seconds_since(t0);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("does not speak TLS on this port"));
    CHECK(secs < 5);
  }
}

TEST_CASE("restore and verify that find no snapshot fail with the reason, and restore creates nothing", "[report]") {
  SyncRig rig(tiny());
  REQUIRE(rig.sync().exit_code == 0);
  std::string typo = "s3://" + rig.bucket + "/store1-typo";
  std::string into = rig.tmp.sub("restored");
  auto verify = rig.run({"verify", typo, "--output", "json"});
  CHECK(verify.exit_code == 2);
  CHECK_THAT(parse_summary(verify)["error"]["message"].get<std::string>(),
             Catch::Contains("holds no complete snapshot to verify: is the prefix"));
  auto restore = rig.run({"restore", typo, into, "--output", "json"});
  CHECK(restore.exit_code == 2);
  CHECK_THAT(parse_summary(restore)["error"]["message"].get<std::string>(),
             Catch::Contains("holds no complete snapshot to restore"));
  CHECK_FALSE(fs::exists(into));
  auto before_any = rig.run({"restore", rig.target(), into, "--point-in-time", "@1000000000", "--output", "json"});
  CHECK(before_any.exit_code == 2);
  CHECK_THAT(parse_summary(before_any)["error"]["message"].get<std::string>(), Catch::Contains("nothing that old"));
  CHECK_FALSE(fs::exists(into));
}

TEST_CASE("counts that make no sense and unknown commands are usage errors that say what is valid", "[report]") {
  SyncRig rig(tiny());
  for (std::vector<std::string> extra : {std::vector<std::string>{"--max-delete", "-1"},
                                         std::vector<std::string>{"-j", "0"},
                                         std::vector<std::string>{"--transfer-last", "0"},
                                         std::vector<std::string>{"--max-outage", "-5"},
                                         std::vector<std::string>{"--max-outage", ""},
                                         std::vector<std::string>{"--max-outage", "30d"},
                                         std::vector<std::string>{"--bandwidth-limit", ""},
                                         std::vector<std::string>{"--bandwidth-limit", "0"},
                                         std::vector<std::string>{"--bandwidth-limit", "08:00,1M 08:00,2M"}}) {
    INFO(extra[0] << " '" << extra[1] << "'");
    auto r = rig.sync(extra);
    CHECK(r.exit_code == 2);
    CHECK(rig.remote().empty());
  }
  auto r = run_command({s3sync_bin(), "frobnicate", "--output", "json"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown command 'frobnicate'"));
  CHECK_THAT(r.err, Catch::Contains("sync, restore, extract, verify, list, key, gc, status, unlock, config"));
  CHECK(parse_summary(r)["error"]["kind"] == "usage");
}

TEST_CASE("a file listed in a manifest but missing locally fails its snapshot, and no manifest goes up", "[report]") {
  SyncRig rig(tiny());
  auto store = must(datastore::Datastore::open(rig.root));
  std::string victim;
  for (const auto& [key, path] : expected_objects(rig.root)) {
    if (key.ends_with(".blob") && !key.ends_with("index.json.blob")) victim = key;
  }
  REQUIRE_FALSE(victim.empty());
  fs::remove(rig.root + "/" + victim.substr(5));
  std::string snapshot = victim.substr(5, victim.rfind('/') - 5);
  auto r = rig.sync();
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["failed"] == 1);
  CHECK_THAT(j["errors"].dump(), Catch::Contains("listed in its manifest but missing locally"));
  CHECK_FALSE(rig.remote().count(".cnt/" + snapshot + "/index.json.blob"));
  CHECK(check_no_incomplete_manifest(rig) > 0);
}

TEST_CASE("junk keys: one line for thousands, control bytes escaped, verify says so too", "[report]") {
  SyncRig rig(tiny());
  REQUIRE(rig.sync().exit_code == 0);
  std::vector<std::uint8_t> junk{'x'};
  for (int i = 0; i < 300; ++i) rig.put(".cnt/junk/" + std::to_string(i), junk);
  rig.put(".cnt/evil\nkey\x1b[2J", junk);
  auto count_lines = [](const std::string& text, const std::string& what) {  // lines holding `what`
    std::size_t n = 0;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      n += text.substr(start, end - start).find(what) != std::string::npos;
      start = end + 1;
    }
    return n;
  };
  for (std::vector<std::string> cmd : {std::vector<std::string>{"list", rig.target()},
                                       std::vector<std::string>{"verify", rig.target()},
                                       std::vector<std::string>{"sync", rig.root, rig.target(), "--lock-file", rig.lock},
                                       std::vector<std::string>{"restore", rig.target(), rig.tmp.sub("restored")}}) {
    INFO(cmd[0]);
    auto r = rig.run(cmd);
    std::string all = r.out + r.err;
    CHECK(count_lines(all, "not PBS names") == 1);
    CHECK_THAT(all, Catch::Contains("301 object(s)"));
    CHECK(count_lines(all, "/junk/") == 1);
    CHECK(all.find('\x1b') == std::string::npos);  // the escape sequence never reaches the terminal
    // restore refuses them (exit 1), list counts them as problems (exit 1); sync and verify warn.
    CHECK(r.exit_code == (cmd[0] == "restore" || cmd[0] == "list" ? 1 : 0));
  }
  auto r = rig.run({"list", rig.target()});
  CHECK_THAT(r.out + r.err, Catch::Contains("evil\\x0akey\\x1b[2J"));
}

TEST_CASE("a restore leaves no empty group directory for a group it could not restore", "[report]") {
  SyncRig rig(tiny());
  REQUIRE(rig.sync().exit_code == 0);
  // Every manifest of the container group is garbage now: none of its snapshots can come back.
  std::string group;
  for (const auto& [k, o] : rig.remote()) {
    if (k.starts_with(".cnt/ct/") && k.ends_with("/index.json.blob")) {
      rig.put(k, {'b', 'a', 'd'});
      group = k.substr(5, k.find('/', 8) - 5);
    }
  }
  REQUIRE_FALSE(group.empty());
  std::string into = rig.tmp.sub("restored");
  auto r = rig.run({"restore", rig.target(), into, "--output", "json"});
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["restored"] == 2);
  CHECK(j["snapshots"]["failed"] == 2);
  CHECK_FALSE(fs::exists(into + "/" + group));
  CHECK(fs::exists(into + "/vm"));
}

TEST_CASE("a HEAD refused because of the clock is told by the Date header, corrected and retried", "[report]") {
  auto direct = make_engine(2);
  std::string bucket = unique_bucket("skewhead");
  create_bucket(*direct, bucket);
  auto c = engine_config(2);
  c.clock_offset_seconds = -1800;  // signs as if it were half an hour ago
  auto engine = make_engine(c);
  auto r = engine->execute(s3::head_object(bucket, "nothing-here"));
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(engine->counters().retries.at("clock-skew") == 1);
  CHECK(std::abs(engine->clock_offset()) < 120);
}
