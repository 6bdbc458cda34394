#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "datagen.h"
#include "test_support.h"

using namespace pbs;
using pbs::test::must;
using pbs::test::run_command;
using pbs::test::s3sync_bin;
using pbs::test::TempDir;

TEST_CASE("--help lists every command, --version prints the version", "[cli]") {
  auto help = run_command({s3sync_bin(), "--help"});
  CHECK(help.exit_code == 0);
  // Each command on its own line of the subcommand list (a bare "sync" or "config" would also be
  // found in the program's name and in --config).
  auto commands = help.out.substr(std::min(help.out.size(), help.out.find("Subcommands:")));
  for (const char* cmd : {"sync", "restore", "extract", "verify", "list", "key", "gc", "status", "unlock", "config"}) {
    INFO(cmd);
    CHECK_THAT(commands, Catch::Contains("\n  " + std::string(cmd) + " "));
  }
  // Option values read as a person writes them, without the parser's internals.
  CHECK_THAT(help.out, Catch::Contains("--output text|json"));
  CHECK_THAT(help.out, Catch::Contains("--max-outage DURATION"));
  for (const char* internal : {"ENUM", "->", " OR ", "TEXT:", "{json"}) {
    INFO(internal);
    CHECK_FALSE(help.out.find(internal) != std::string::npos);
  }
  auto sync_help = run_command({s3sync_bin(), "sync", "--help"});
  CHECK_THAT(sync_help.out, Catch::Contains("--group-filter FILTER"));
  CHECK_THAT(sync_help.out, Catch::Contains("[DATASTORE] [TARGET]"));
  CHECK(sync_help.out.find("TEXT") == std::string::npos);
  auto version = run_command({s3sync_bin(), "--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("pbs-s3sync "));
}

TEST_CASE("usage errors exit 2 with a message", "[cli]") {
  auto none = run_command({s3sync_bin()});
  CHECK(none.exit_code == 2);
  auto bad = run_command({s3sync_bin(), "list", "/nonexistent/store"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("/nonexistent/store"));
  auto bad_ns = run_command({s3sync_bin(), "list", "/tmp", "--ns", "a/../b"});
  CHECK(bad_ns.exit_code == 2);
}

TEST_CASE("a bad bandwidth timetable or request cap exits 2 before anything is sent, naming what is wrong",
          "[cli]") {
  TempDir tmp;
  std::filesystem::create_directories(tmp.sub("store1/.chunks"));
  std::ofstream(tmp.sub("none.conf")) << "# nothing\n";
  std::vector<std::string> env{"AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b", "AWS_ENDPOINT_URL=http://127.0.0.1:9",
                               "PBS_S3SYNC_DATASTORE_CFG=/nonexistent"};
  auto sync = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{s3sync_bin(), "sync", tmp.sub("store1"), "s3://bucket/p", "--config",
                                  tmp.sub("none.conf"), "--lock-file", tmp.sub("lock")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, env);
  };
  auto hour = sync({"--bandwidth-limit", "08:00,1M 25:00,off"});
  CHECK(hour.exit_code == 2);
  CHECK_THAT(hour.err, Catch::Contains("'25:00,off'") && Catch::Contains("HH:MM"));
  auto split = sync({"--bandwidth-limit", "08:00,10M:1M 20:00,off"});
  CHECK(split.exit_code == 2);
  CHECK_THAT(split.err, Catch::Contains("upload:download"));
  auto zero = sync({"--tps-limit", "0"});
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Catch::Contains("--tps-limit"));
  std::ofstream(tmp.sub("bad.conf")) << "BANDWIDTH_SCHEDULE=\"Funday-08:00,1M\"\n";
  auto conf = run_command({s3sync_bin(), "sync", tmp.sub("store1"), "s3://bucket/p", "--config", tmp.sub("bad.conf"),
                           "--lock-file", tmp.sub("lock")},
                          env);
  CHECK(conf.exit_code == 2);
  CHECK_THAT(conf.err, Catch::Contains("bad.conf:1: BANDWIDTH_SCHEDULE") && Catch::Contains("'Funday' is not a weekday"));
}

TEST_CASE("PBS_S3SYNC_STALL_SECONDS that is not a positive whole number exits 2 before anything is done, naming it",
          "[cli]") {
  TempDir tmp;
  std::filesystem::create_directories(tmp.sub("store1/.chunks"));
  std::ofstream(tmp.sub("none.conf")) << "# nothing\n";
  auto sync = [&](const std::string& stall, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{s3sync_bin(), "sync", tmp.sub("store1"), "s3://bucket/p", "--config",
                                  tmp.sub("none.conf"), "--lock-file", tmp.sub("lock")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, {"AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b", "AWS_ENDPOINT_URL=http://127.0.0.1:9",
                              "PBS_S3SYNC_DATASTORE_CFG=/nonexistent", "PBS_S3SYNC_STALL_SECONDS=" + stall});
  };
  for (std::string bad : {"abc", "0", "-5", "1.5", "10s", " 7", "+3", "99999999999999999999999"}) {
    INFO("PBS_S3SYNC_STALL_SECONDS=" << bad);
    auto r = sync(bad);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("PBS_S3SYNC_STALL_SECONDS='" + bad + "'") &&
                          Catch::Contains("positive whole number of seconds"));
    // Refused before the lock was taken, let alone a request sent.
    CHECK_FALSE(test::file_exists(tmp.sub("lock")));
  }
  auto json = sync("abc", {"--output", "json"});
  CHECK(json.exit_code == 2);
  auto doc = nlohmann::json::parse(json.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK_THAT(doc["error"]["message"].get<std::string>(), Catch::Contains("PBS_S3SYNC_STALL_SECONDS='abc'"));
  // A good value goes on to the endpoint, where nothing answers.
  CHECK(sync("30").exit_code == 4);
}

TEST_CASE("list --output json agrees with the generator", "[cli]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto stats = must(testgen::generate(root, {}));
  auto r = run_command({s3sync_bin(), "list", root, "--output", "json"});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  const auto& t = doc["totals"];
  CHECK(t["namespaces"] == stats.namespaces);
  CHECK(t["groups"] == stats.groups);
  CHECK(t["snapshots"] == stats.snapshots);
  CHECK(t["unfinished-snapshots"] == stats.unfinished_snapshots);
  CHECK(t["unique-chunks"] == stats.unique_chunks);
  CHECK(t["unique-chunk-bytes"] == stats.unique_chunk_bytes);
  CHECK(t["logical-bytes"] == stats.logical_bytes);
  CHECK(doc["groups"].size() == stats.groups);
  auto text = run_command({s3sync_bin(), "list", root});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("vm/100"));
  CHECK_THAT(text.out, Catch::Contains("protected"));
  auto scoped = run_command({s3sync_bin(), "list", root, "--ns", "prod", "--max-depth", "0",
                             "--output", "json"});
  REQUIRE(scoped.exit_code == 0);
  CHECK(nlohmann::json::parse(scoped.out)["groups"].size() == 2);
}

TEST_CASE("verify exits 0 when clean and 1 naming each damaged file", "[cli]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  must(testgen::generate(root, {}));
  auto clean = run_command({s3sync_bin(), "verify", root});
  CHECK(clean.exit_code == 0);
  auto chunk = must(testgen::corrupt_chunk(root, testgen::ChunkDamage::flip_byte, 1));
  auto index = must(testgen::truncate_index(root, 2));
  auto r = run_command({s3sync_bin(), "verify", root});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(chunk.paths[0]));
  CHECK_THAT(r.out, Catch::Contains(index.paths[0]));
  auto json = run_command({s3sync_bin(), "verify", root, "--output", "json"});
  CHECK(json.exit_code == 1);
  CHECK(nlohmann::json::parse(json.out)["problems"].size() == 2);
}

TEST_CASE("a name that is both a STORAGE id and a directory here is refused, a name with a / is a path", "[cli]") {
  TempDir tmp;
  std::string conf = tmp.sub("pbs.conf");
  std::ofstream(conf) << "STORAGE=s3://some-bucket@enc:ENDPOINT=http://127.0.0.1:9\n";
  must(testgen::generate(tmp.sub("enc"), {}));
  for (const char* command : {"verify", "list"}) {
    INFO(command);
    auto both = run_command({"/bin/sh", "-c", "cd " + tmp.path() + " && exec " + s3sync_bin() + " " + command +
                                                  " enc --config " + conf});
    CHECK(both.exit_code == 2);
    CHECK_THAT(both.err, Catch::Contains("'enc' is both a STORAGE id of " + conf + " and a directory here"));
    CHECK_THAT(both.err, Catch::Contains("./enc"));
    auto path = run_command({"/bin/sh", "-c", "cd " + tmp.path() + " && exec " + s3sync_bin() + " " + command +
                                                  " ./enc --config " + conf});
    CHECK(path.exit_code == 0);
  }
}

TEST_CASE("remote commands without credentials say which are missing", "[cli]") {
  auto no_keys = run_command({s3sync_bin(), "list", "s3://bucket/prefix"},
                             {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "HOME=/nonexistent"});
  CHECK(no_keys.exit_code == 2);
  CHECK_THAT(no_keys.err, Catch::Contains("no credentials"));
  auto bad_grace = run_command({s3sync_bin(), "gc", "s3://bucket/prefix", "--grace", "soon"},
                               {"AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b"});
  CHECK(bad_grace.exit_code == 2);
  CHECK_THAT(bad_grace.err, Catch::Contains("duration"));
}

TEST_CASE("the generator CLI writes and damages datastores", "[cli][generator]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto created = run_command({test::datagen_bin(), "create", root, "--preset", "tiny"});
  REQUIRE(created.exit_code == 0);
  auto stats = nlohmann::json::parse(created.out);
  CHECK(stats["snapshots"] == 2 * 4);
  auto damaged = run_command({test::datagen_bin(), "corrupt-chunk", root, "--damage", "digest"});
  REQUIRE(damaged.exit_code == 0);
  auto path = nlohmann::json::parse(damaged.out)["paths"][0].get<std::string>();
  auto r = run_command({s3sync_bin(), "verify", root});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(path));
}

TEST_CASE("bash completion knows the subcommands, their options and the config's STORAGE ids", "[cli][completion]") {
  TempDir tmp;
  std::string conf = tmp.sub("pbs.conf");
  std::ofstream(conf) << "STORAGE=s3://bucket-a@offsite:AWS_ACCESS_KEY_ID=k,AWS_SECRET_ACCESS_KEY=s\n"
                         "STORAGE=s3://bucket-b@coldstore:ENDPOINT=http://s3.example\n";
  std::string cfg = tmp.sub("datastore.cfg");
  std::ofstream(cfg) << "datastore: store1\n\tpath /mnt/store1\n";
  std::string script = std::string(PBS_FIXTURE_DIR) + "/../../completions/pbs-s3sync.bash";
  auto complete = [&](const std::string& words, int cword) {
    std::string cmd = "cd " + tmp.path() + " && . " + script + " && complete -p pbs-s3sync >/dev/null && COMP_WORDS=(" + words +
                      ") && COMP_CWORD=" + std::to_string(cword) + " && _pbs_s3sync && printf '%s\\n' \"${COMPREPLY[@]}\"";
    auto r = run_command({"/bin/bash", "-c", cmd}, {"PBS_S3SYNC_DATASTORE_CFG=" + cfg, "PBS_S3SYNC_CONFIG=" + conf});
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  CHECK(complete("pbs-s3sync re", 1) == "restore\n");
  CHECK(complete("pbs-s3sync sync store1 ''", 3) == "offsite\ncoldstore\n");
  CHECK(complete("pbs-s3sync --config " + conf + " restore c", 4) == "coldstore\n");
  CHECK_THAT(complete("pbs-s3sync sync --take", 2), Catch::Contains("--take-over"));
  CHECK(complete("pbs-s3sync sync st", 2) == "store1\n");
  CHECK(complete("pbs-s3sync config ''", 2) == "check\n");
}

TEST_CASE("a bad object lock or point in time exits 2 before anything is sent, naming what is wrong", "[cli][lock]") {
  TempDir tmp;
  std::filesystem::create_directories(tmp.sub("store1/.chunks"));
  std::ofstream(tmp.sub("none.conf")) << "# nothing\n";
  std::vector<std::string> env{"AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b", "AWS_ENDPOINT_URL=http://127.0.0.1:9",
                               "PBS_S3SYNC_DATASTORE_CFG=/nonexistent"};
  auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), s3sync_bin());
    argv.insert(argv.end(), {"--config", tmp.sub("none.conf"), "--lock-file", tmp.sub("lock")});
    return run_command(argv, env);
  };
  auto short_days = run({"sync", tmp.sub("store1"), "s3://bucket/p", "--object-lock", "governance", "--object-lock-days", "2"});
  CHECK(short_days.exit_code == 2);
  CHECK_THAT(short_days.err, Catch::Contains("OBJECT_LOCK_DAYS=2") && Catch::Contains("3 days"));
  auto no_days = run({"sync", tmp.sub("store1"), "s3://bucket/p", "--object-lock", "COMPLIANCE"});
  CHECK(no_days.exit_code == 2);
  CHECK_THAT(no_days.err, Catch::Contains("--object-lock-days"));
  auto bad_mode = run({"sync", tmp.sub("store1"), "s3://bucket/p", "--object-lock", "forever", "--object-lock-days", "9"});
  CHECK(bad_mode.exit_code == 2);
  auto when = run({"restore", "s3://bucket/p", tmp.sub("out"), "--point-in-time", "yesterday"});
  CHECK(when.exit_code == 2);
  CHECK_THAT(when.err, Catch::Contains("'yesterday' is not a point in time"));
  auto local = run({"list", tmp.sub("store1"), "--point-in-time", "2d"});
  CHECK(local.exit_code == 2);
  CHECK_THAT(local.err, Catch::Contains("remote SOURCE"));
}

TEST_CASE("numeric options say what they expect in plain words, and unexpected arguments keep their order", "[cli]") {
  auto days = run_command({s3sync_bin(), "sync", "--object-lock-days", "abc", "/nonexistent", "s3://b"});
  CHECK(days.exit_code == 2);
  CHECK_THAT(days.err, Catch::Contains("--object-lock-days: must be a whole number from 1 to 36500, not 'abc'"));
  auto tps = run_command({s3sync_bin(), "--tps-limit", "0", "list", "/nonexistent"});
  CHECK(tps.exit_code == 2);
  CHECK_THAT(tps.err, Catch::Contains("must be a number from 0.01 to 1000000, not '0'"));
  TempDir tmp;
  must(testgen::generate(tmp.sub("store"), {}));
  auto off_days = run_command({s3sync_bin(), "sync", tmp.sub("store"), "s3://bucket-x/p", "--object-lock", "off",
                               "--object-lock-days", "5", "--lock-file", tmp.sub("lock")},
                              {"AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b", "PBS_S3SYNC_DATASTORE_CFG=/nonexistent"});
  CHECK(off_days.exit_code == 2);
  CHECK_THAT(off_days.err, Catch::Contains("--object-lock off locks nothing"));
  auto extra = run_command({s3sync_bin(), "gc", "s3://b/p", "--point-in-time", "1h", "extra"});
  CHECK(extra.exit_code == 2);
  CHECK_THAT(extra.err, Catch::Contains("unexpected arguments: --point-in-time 1h extra"));
}
