#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "config/aws_profile.h"
#include "config/datastore_cfg.h"
#include "config/pbs_conf.h"
#include "config/target.h"
#include "s3/endpoint.h"
#include "test_support.h"
#include "util/duration.h"

using namespace pbs;
using namespace pbs::config;
using pbs::test::must;
using pbs::test::TempDir;

namespace {
void write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}
const char* kSeed =
    "STORAGE=s3://my-bucket@pbs-s3:AWS_ACCESS_KEY_ID=...,AWS_SECRET_ACCESS_KEY=...,"
    "ENDPOINT=https://s3.amazonaws.com,TLS_VERIFY=true\n"
    "MAX_WORKERS=4\n"
    "BANDWIDTH_LIMIT_MBS=50\n"
    "SYNC_INTERVAL=3600\n";
}  // namespace

TEST_CASE("the seed's example configuration parses", "[config]") {
  auto conf = must(parse_pbs_conf(kSeed, "/etc/pbs.conf"));
  REQUIRE(conf.storages.size() == 1);
  const auto& s = conf.storages[0];
  CHECK(s.id == "pbs-s3");
  CHECK(s.bucket == "my-bucket");
  CHECK(s.get("AWS_ACCESS_KEY_ID") == std::optional<std::string>("..."));
  CHECK(s.get("ENDPOINT") == std::optional<std::string>("https://s3.amazonaws.com"));
  CHECK(s.flag("TLS_VERIFY") == std::optional<bool>(true));
  CHECK(conf.max_workers == std::optional<unsigned>(4));
  CHECK(conf.bandwidth_limit_mbs == std::optional<double>(50));
  CHECK(conf.sync_interval == std::optional<std::int64_t>(3600));
  CHECK(conf.holds_secrets());
}

TEST_CASE("comments, blank lines, quotes, several targets", "[config]") {
  auto conf = must(parse_pbs_conf(
      "# offsite copies\n\n  MAX_WORKERS = 8  \nSTORAGE=\"s3://a-bucket@one\"\n"
      "STORAGE=s3://b.bucket@two:REGION=eu-central-1,PATH_STYLE=auto,PREFIX=store1/\n"
      "BANDWIDTH_LIMIT_MBS=12.5\n",
      "x.conf"));
  CHECK(conf.max_workers == std::optional<unsigned>(8));
  REQUIRE(conf.storages.size() == 2);
  CHECK(conf.find_storage("two")->get("REGION") == std::optional<std::string>("eu-central-1"));
  CHECK(conf.find_storage("one")->values.empty());
  CHECK(conf.bandwidth_limit_mbs == std::optional<double>(12.5));
  CHECK_FALSE(conf.holds_secrets());
}

TEST_CASE("a bandwidth timetable and a request rate cap in the configuration", "[config]") {
  auto conf = must(parse_pbs_conf("BANDWIDTH_LIMIT_MBS=50\nBANDWIDTH_SCHEDULE=\"08:00,512k 23:00,off\"\n"
                                  "MAX_REQUESTS_PER_SECOND=33.3\n",
                                  "x.conf"));
  REQUIRE(conf.bandwidth_schedule);
  CHECK(conf.bandwidth_schedule->describe() == "08:00,512k 23:00,off");
  CHECK(conf.max_requests_per_second == std::optional<double>(33.3));
}

TEST_CASE("every malformed line is rejected with its line number", "[config]") {
  struct Case {
    std::string line;
    std::string expect;
  };
  std::vector<Case> cases = {
      {"MAX_WORKER=4", "unknown key 'MAX_WORKER'"},
      {"just words", "not a KEY=VALUE line"},
      {"MAX_WORKERS=abc", "MAX_WORKERS must be a whole number"},
      {"MAX_WORKERS=0", "MAX_WORKERS"},
      {"MAX_WORKERS=2.5", "whole number"},
      {"SYNC_INTERVAL=-5", "SYNC_INTERVAL"},
      {"BANDWIDTH_LIMIT_MBS=fast", "BANDWIDTH_LIMIT_MBS must be a number"},
      {"BANDWIDTH_SCHEDULE=08:00,1M 24:00,off", "BANDWIDTH_SCHEDULE: bandwidth timetable entry '24:00,off'"},
      {"MAX_REQUESTS_PER_SECOND=many", "MAX_REQUESTS_PER_SECOND must be a number"},
      {"STORAGE=http://bucket@id", "does not start with s3://"},
      {"STORAGE=s3://bucket", "no '@ID'"},
      {"STORAGE=s3://Bad_Bucket@id", "bucket name"},
      {"STORAGE=s3://bucket@bad/id", "target id"},
      {"STORAGE=s3://bucket@id:REGION", "not KEY=VALUE"},
      {"STORAGE=s3://bucket@id:COLOR=blue", "unknown key 'COLOR'"},
      {"STORAGE=s3://bucket@id:TLS_VERIFY=maybe", "TLS_VERIFY must be true or false"},
      {"STORAGE=s3://bucket@id:PATH_STYLE=sometimes", "PATH_STYLE"},
      {"STORAGE=s3://bucket@id:REGION=a,REGION=b", "given twice"},
      {"STORAGE=s3://bucket@id:REGION=", "empty value"},
      {"BANDWIDTH_LIMIT_MBS=0", "BANDWIDTH_LIMIT_MBS=0 is no rate: leave the key out for no limit"},
      {"MAX_REQUESTS_PER_SECOND=0", "MAX_REQUESTS_PER_SECOND=0 is no rate"},
      {"BANDWIDTH_SCHEDULE=08:00,0 19:00,off", "write off for no limit"},
      {"BANDWIDTH_SCHEDULE=08:00,1M 08:00,2M", "two entries for 08:00"},
      {"MAX_OUTAGE=0", "from 1s to 7d"},
      {"MAX_OUTAGE=1000000d", "from 1s to 7d"},
      {"BANDWIDTH_SCHEDULE=\"08:00,512k 23:00,off", "BANDWIDTH_SCHEDULE: a quote is not closed"},
      {"MAX_WORKERS=4'", "MAX_WORKERS: a quote is not closed"},
      {"STORAGE=s3://bucket@id:STORAGE_CLASS=standard ia", "STORAGE_CLASS is a class name"},
      {"STORAGE=s3://bucket@id:SSE=aes", "SSE must be AES256 or aws:kms"},
      {"STORAGE=s3://bucket@id:MIN_STORAGE_DAYS=ninety", "MIN_STORAGE_DAYS must be a whole number"},
      {"STORAGE=s3://bucket@id:SSE_KMS_KEY_ID=k", "SSE_KMS_KEY_ID needs SSE=aws:kms"},
      {"STORAGE=s3://bucket@id:SSE=aws:kms,SSE_CUSTOMER_KEY_FILE=/k", "two kinds of server-side encryption"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    std::string text = "# header\nMAX_WORKERS=2\n" + c.line + "\nSYNC_INTERVAL=60\n";
    auto r = parse_pbs_conf(text, "/etc/pbs.conf");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::config);
    CHECK_THAT(r.error().message(), Catch::StartsWith("/etc/pbs.conf:3: "));
    CHECK_THAT(r.error().message(), Catch::Contains(c.expect));
  }
  // The line's expected shape is named only when the shape is what is wrong, not a value inside it.
  auto shape = parse_pbs_conf("STORAGE=s3://bucket\n", "c");
  REQUIRE_FALSE(shape);
  CHECK_THAT(shape.error().message(), Catch::Contains("(expected s3://BUCKET@ID:KEY=VALUE"));
  auto value = parse_pbs_conf("STORAGE=s3://bucket@id:TLS_VERIFY=maybe\n", "c");
  REQUIRE_FALSE(value);
  CHECK_THAT(value.error().message(), !Catch::Contains("expected s3://"));
  auto dup = parse_pbs_conf("STORAGE=s3://bucket@x\nSTORAGE=s3://other@x\n", "c");
  REQUIRE_FALSE(dup);
  CHECK_THAT(dup.error().message(), Catch::Contains("c:2: STORAGE id 'x' is defined twice"));
}

TEST_CASE("a configuration saved with a UTF-8 byte-order mark reads like one without", "[config]") {
  auto conf = must(parse_pbs_conf("\xEF\xBB\xBFSTORAGE=s3://a-bucket@one\nMAX_WORKERS=3\n", "bom.conf"));
  REQUIRE(conf.storages.size() == 1);
  CHECK(conf.storages[0].id == "one");
  CHECK(conf.max_workers == std::optional<unsigned>(3));
}

TEST_CASE("errors never quote a secret", "[config]") {
  auto r = parse_pbs_conf(
      "STORAGE=s3://bucket@id:AWS_SECRET_ACCESS_KEY=SeCrEtVaLuE123,COLOUR=blue\n", "c");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message(), !Catch::Contains("SeCrEtVaLuE123"));
}

TEST_CASE("a config file with secrets readable by others is warned about", "[config]") {
  TempDir tmp;
  std::string path = tmp.sub("pbs.conf");
  write(path, kSeed, 0644);
  auto conf = must(load_pbs_conf(path, true));
  REQUIRE(conf.warnings.size() == 1);
  CHECK_THAT(conf.warnings[0], Catch::Contains("chmod 600"));
  CHECK_THAT(conf.warnings[0], Catch::Contains("0644"));
  ::chmod(path.c_str(), 0600);
  CHECK(must(load_pbs_conf(path, true)).warnings.empty());
  CHECK(must(load_pbs_conf(tmp.sub("absent.conf"), false)).storages.empty());
  auto missing = load_pbs_conf(tmp.sub("absent.conf"), true);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == Errc::config);
}

TEST_CASE("endpoints: AWS default, custom, ports, addressing", "[config][endpoint]") {
  auto aws = must(s3::Endpoint::parse("", "eu-west-1"));
  CHECK(aws.host == "s3.eu-west-1.amazonaws.com");
  CHECK(aws.scheme == "https");
  CHECK(aws.host_header("my-bucket") == "my-bucket.s3.eu-west-1.amazonaws.com");
  CHECK(aws.path("my-bucket", "a b/c:d") == "/a%20b/c%3Ad");
  CHECK(aws.uses_path_style("dotted.bucket.name"));
  auto minio = must(s3::Endpoint::parse("http://192.168.1.5:9000/", ""));
  CHECK(minio.uses_path_style("bucket"));
  CHECK(minio.host_header("bucket") == "192.168.1.5:9000");
  CHECK(minio.path("bucket", "k") == "/bucket/k");
  CHECK(minio.url("bucket", "k", "list-type=2") == "http://192.168.1.5:9000/bucket/k?list-type=2");
  CHECK(must(s3::Endpoint::parse("http://localhost:7480", "")).uses_path_style("b"));
  CHECK(must(s3::Endpoint::parse("https://[::1]:8443", "")).uses_path_style("b"));
  auto r2 = must(s3::Endpoint::parse("https://acc.r2.cloudflarestorage.com:443", "auto"));
  CHECK(r2.port == 0);  // default port is not written into Host
  CHECK(r2.region == "auto");
  CHECK_FALSE(r2.uses_path_style("bucket"));
  CHECK(must(s3::Endpoint::parse("s3.example.com", "", s3::Addressing::path)).uses_path_style("b"));
  for (const char* bad : {"ftp://x", "https://x:0", "https://x:99999", "https://x/path",
                          "https://user@x", "https://:80"}) {
    INFO(bad);
    CHECK_FALSE(s3::Endpoint::parse(bad, ""));
  }
}

TEST_CASE("targets: URL or STORAGE id, credentials first found wins", "[config][target]") {
  TempDir home;
  auto conf = must(parse_pbs_conf(
      "STORAGE=s3://offsite-bucket@pbs-s3:AWS_ACCESS_KEY_ID=AKSTORAGE,"
      "AWS_SECRET_ACCESS_KEY=SKSTORAGE,ENDPOINT=http://127.0.0.1:7480,TLS_VERIFY=false,"
      "STORAGE_CLASS=STANDARD_IA,IF_NONE_MATCH=false\n"
      "STORAGE=s3://second-bucket@two:PREFIX=custom,REGION=eu-central-1\n",
      "c"));
  auto empty_env = Environment::fake({}, home.path());

  SECTION("STORAGE id: its keys and endpoint, prefix from the datastore name") {
    auto t = must(resolve_target("pbs-s3", conf, empty_env, "store1"));
    CHECK(t.bucket == "offsite-bucket");
    CHECK(t.prefix == "store1");
    CHECK(t.credentials.access_key == "AKSTORAGE");
    CHECK(t.credentials_source == "STORAGE entry 'pbs-s3'");
    CHECK(t.endpoint.host == "127.0.0.1");
    CHECK_FALSE(t.endpoint.tls_verify);
    CHECK(t.options.storage_class == "STANDARD_IA");
    CHECK_FALSE(t.options.if_none_match);
    CHECK(t.key(".chunks/abcd/x") == "store1/.chunks/abcd/x");
    CHECK(t.url() == "s3://offsite-bucket/store1");
  }
  SECTION("the environment wins over the STORAGE entry") {
    auto env = Environment::fake({{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "SKENV"},
                                  {"AWS_REGION", "us-west-2"}},
                                 home.path());
    auto t = must(resolve_target("pbs-s3", conf, env, "store1"));
    CHECK(t.credentials.access_key == "AKENV");
    CHECK(t.credentials_source == "environment");
    CHECK(t.endpoint.region == "us-west-2");
  }
  SECTION("s3:// URL: prefix from the URL; the STORAGE entry of that bucket supplies keys") {
    auto t = must(resolve_target("s3://offsite-bucket/nightly/store1/", conf, empty_env, "x"));
    CHECK(t.prefix == "nightly/store1");
    CHECK(t.credentials.access_key == "AKSTORAGE");
  }
  SECTION("~/.aws profile when nothing else has keys") {
    write(home.sub(".aws/credentials"), "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = SKDEF\n"
                                        "[backup]\naws_access_key_id=AKPROF\naws_secret_access_key=SKPROF\n"
                                        "aws_session_token=TOKEN\n");
    write(home.sub(".aws/config"), "[profile backup]\nregion = ap-south-1\ns3 =\n  addressing_style = path\n");
    auto env = Environment::fake({{"AWS_PROFILE", "backup"}}, home.path());
    auto t = must(resolve_target("two", conf, env, "store1"));
    CHECK(t.credentials.access_key == "AKPROF");
    CHECK(t.credentials.session_token == "TOKEN");
    CHECK(t.endpoint.region == "eu-central-1");  // the STORAGE entry's REGION wins over ~/.aws
    CHECK(t.prefix == "custom");
    CHECK(t.endpoint.uses_path_style("second-bucket"));
    CHECK_THAT(t.credentials_source, Catch::Contains("profile 'backup'"));
    auto def = must(resolve_target("s3://other-bucket", conf, Environment::fake({}, home.path()), "s"));
    CHECK(def.credentials.access_key == "AKDEF");
    CHECK(def.endpoint.host == "s3.us-east-1.amazonaws.com");
  }
  SECTION("no credentials anywhere, unknown id, ambiguous default") {
    auto none = resolve_target("s3://lonely-bucket", conf, empty_env, "s");
    REQUIRE_FALSE(none);
    CHECK(none.error().code() == Errc::config);
    CHECK_THAT(none.error().message(), Catch::Contains("AWS_ACCESS_KEY_ID"));
    auto unknown = resolve_target("three", conf, empty_env, "s");
    REQUIRE_FALSE(unknown);
    CHECK_THAT(unknown.error().message(), Catch::Contains("pbs-s3, two"));
    auto ambiguous = resolve_target("", conf, empty_env, "s");
    REQUIRE_FALSE(ambiguous);
    CHECK_THAT(ambiguous.error().message(), Catch::Contains("no TARGET"));
    CHECK_FALSE(resolve_target("s3://b/", conf, empty_env, "s"));  // bucket too short
    CHECK_FALSE(resolve_target("s3://bucket//x", conf, empty_env, "s"));
  }
  SECTION("a prefix with a '.' or '..' component is refused, from the URL, PREFIX or the datastore name") {
    auto dotted = must(parse_pbs_conf("STORAGE=s3://offsite-bucket@up:PREFIX=../x\n", "c"));
    for (auto r : {resolve_target("s3://bucket/../x", conf, empty_env, "s"),
                   resolve_target("s3://bucket/a/./b", conf, empty_env, "s"),
                   resolve_target("up", dotted, empty_env, "s"), resolve_target("s3://bucket", conf, empty_env, "."),
                   resolve_target("s3://bucket", conf, empty_env, "..")}) {
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == Errc::config);
      CHECK_THAT(r.error().message(), Catch::Contains("component"));
    }
    CHECK(must(resolve_target("s3://offsite-bucket/a.b/..c", conf, empty_env, "s")).prefix == "a.b/..c");
  }
}

TEST_CASE("INI files: sections, sub-keys, errors with line numbers", "[config]") {
  auto ini = must(parse_ini("[a]\nk = v\ns3 =\n  addressing_style = path\n[b]\n# c\nx=1\n", "f"));
  CHECK(ini["a"]["k"] == "v");
  CHECK(ini["a"]["s3.addressing_style"] == "path");
  CHECK(ini["b"]["x"] == "1");
  auto bad = parse_ini("[a\n", "f");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("f:1"));
  CHECK_FALSE(parse_ini("k=v\n", "f"));
}

TEST_CASE("datastore.cfg names resolve to paths", "[config]") {
  auto cfg = must(parse_datastore_cfg(
      "datastore: store1\n\tpath /mnt/datastore/store1\n\tcomment main\n\n"
      "sync: job1\n\tstore store1\n\n"
      "datastore: s3store\n\tbackend type=s3,client=ep,bucket=b\n\tpath /var/cache/s3store\n",
      "datastore.cfg"));
  REQUIRE(cfg.size() == 2);
  CHECK(cfg["store1"].path == "/mnt/datastore/store1");
  CHECK_FALSE(cfg["store1"].s3_backend);
  CHECK(cfg["s3store"].s3_backend);
  CHECK_FALSE(parse_datastore_cfg("garbage line\n", "d"));
}

TEST_CASE("OBJECT_LOCK and OBJECT_LOCK_DAYS: validated, upper-cased, and only together", "[config][lock]") {
  const std::string base = "STORAGE=s3://b-lock@t:AWS_ACCESS_KEY_ID=A,AWS_SECRET_ACCESS_KEY=S";
  for (std::string bad : {",OBJECT_LOCK=SOMETIMES,OBJECT_LOCK_DAYS=3", ",OBJECT_LOCK=GOVERNANCE,OBJECT_LOCK_DAYS=0",
                          ",OBJECT_LOCK=GOVERNANCE,OBJECT_LOCK_DAYS=3d", ",OBJECT_LOCK=GOVERNANCE,OBJECT_LOCK_DAYS=36501"}) {
    INFO(bad);
    auto r = parse_pbs_conf(base + bad + "\n", "/etc/pbs.conf");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::config);
    CHECK(r.error().message().find("/etc/pbs.conf:1") != std::string::npos);
  }
  TempDir home;
  auto env = Environment::fake({}, home.path());
  auto ok = must(parse_pbs_conf(base + ",OBJECT_LOCK=compliance,OBJECT_LOCK_DAYS=30\n", "c"));
  auto t = must(resolve_target("t", ok, env, "store1"));
  CHECK(t.options.object_lock == "COMPLIANCE");
  CHECK(t.options.object_lock_days == 30);
  auto half = must(parse_pbs_conf(base + ",OBJECT_LOCK=GOVERNANCE\n", "c"));
  auto r = resolve_target("t", half, env, "store1");
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("go together") != std::string::npos);
  // off: no days needed, and days with it are refused (off locks nothing).
  auto off = must(resolve_target("t", must(parse_pbs_conf(base + ",OBJECT_LOCK=off\n", "c")), env, "store1"));
  CHECK(off.options.object_lock == "OFF");
  auto off_days = resolve_target("t", must(parse_pbs_conf(base + ",OBJECT_LOCK=off,OBJECT_LOCK_DAYS=30\n", "c")), env, "store1");
  REQUIRE_FALSE(off_days);
  CHECK(off_days.error().message().find("OBJECT_LOCK=off locks nothing") != std::string::npos);
}

TEST_CASE("durations parse, and values that overflow are refused, not wrapped", "[config]") {
  CHECK(*parse_duration("90") == 90);
  CHECK(*parse_duration("1h30m") == 5400);
  CHECK(*parse_duration("24h5m") == 86700);
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("5x"));
  CHECK_FALSE(parse_duration("h"));
  CHECK_FALSE(parse_duration("900000000000000000d"));  // found by fuzz_config: the product overflowed
  std::string many;
  for (int i = 0; i < 11; ++i) many += "900000000000000000s";
  CHECK_FALSE(parse_duration(many));                    // and the sum
  CHECK(*parse_duration("900000000000000000s") == 900000000000000000);
}
