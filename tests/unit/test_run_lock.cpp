// The run lock's records as `status` and `sync --if-due` read them: a record that does not read
// (a field of the wrong type) is absent and said so, never a crash; --if-due skips a run within
// SYNC_INTERVAL, a day by default, of the last success.
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "host/run_lock.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::host;
using pbs::test::must;
using pbs::test::run_command;
using pbs::test::s3sync_bin;
using pbs::test::TempDir;

namespace {

LockState state_of(const TempDir& tmp, const std::string& text) {
  std::string path = tmp.sub("job.lock");
  std::ofstream(path, std::ios::trunc) << text;
  return must(read_lock_state(path));
}

// The whole of stdout as one JSON document: anything before or after it fails the test.
nlohmann::json one_document(const test::CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

}  // namespace

TEST_CASE("a lock record with a field of the wrong type is absent, and named as unreadable", "[lock]") {
  TempDir tmp;
  auto holder = state_of(tmp, R"({"holder":{"pid":"x","host":"h"}})");
  CHECK_FALSE(holder.stale_holder);
  REQUIRE(holder.unreadable.size() == 1);
  CHECK_THAT(holder.unreadable[0], Catch::Contains("holder") && Catch::Contains("'pid'"));

  auto run = state_of(tmp, R"({"last_run":{"started":"yesterday","finished":2,"exit_code":0},
                               "last_success":{"started":1,"finished":2,"exit_code":0,"summary":{}}})");
  CHECK_FALSE(run.last_run);
  REQUIRE(run.last_success);  // the record that reads is kept
  CHECK(run.last_success->finished == 2);
  REQUIRE(run.unreadable.size() == 1);
  CHECK_THAT(run.unreadable[0], Catch::Contains("last_run") && Catch::Contains("'started'"));

  for (const char* bad : {R"({"last_success":{"finished":1.5}})", R"({"last_success":{"finished":1e300}})",
                          R"({"last_success":{"exit_code":"0"}})", R"({"last_success":{"exit_code":-1}})",
                          R"({"last_success":{"summary":"done"}})", R"({"last_success":5})",
                          R"({"last_success":{"finished":18446744073709551615}})"}) {
    INFO(bad);
    auto s = state_of(tmp, bad);
    CHECK_FALSE(s.last_success);
    REQUIRE(s.unreadable.size() == 1);
    CHECK_THAT(s.unreadable[0], Catch::Contains("last_success"));
  }
  auto garbage = state_of(tmp, "{\"holder\": {\"pid\": 1");  // not JSON at all
  CHECK_FALSE(garbage.stale_holder);
  CHECK(garbage.unreadable.size() == 1);
  // A lock file just created is empty: nothing recorded, nothing unreadable.
  CHECK(state_of(tmp, "").unreadable.empty());
  auto good = state_of(tmp, R"({"last_run":{"started":1,"finished":2,"exit_code":1,"summary":null}})");
  CHECK(good.unreadable.empty());
  REQUIRE(good.last_run);
  CHECK(good.last_run->exit_code == 1);
}

TEST_CASE("status on a lock file with fields of the wrong type says what it could not read, and does not crash",
          "[cli][lock]") {
  TempDir tmp;
  std::string lock = tmp.sub("job.lock");
  std::ofstream(tmp.sub("none.conf")) << "# nothing\n";
  std::ofstream(lock) << R"({"holder":{"pid":"x"},"last_run":{"started":"yesterday"},
    "last_success":{"started":1,"finished":2,"exit_code":0,
                    "summary":{"snapshots":"many","bytes-sent":"lots"}}})";
  auto status = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{s3sync_bin(), "status", "--lock-file", lock, "--config", tmp.sub("none.conf")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
  };
  auto text = status({});
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("unreadable: the holder record: 'pid' is not a whole number"));
  CHECK_THAT(text.out, Catch::Contains("unreadable: the last_run record: 'started' is not a whole number"));
  CHECK_THAT(text.out, Catch::Contains("last run: never"));
  CHECK_THAT(text.out, Catch::Contains("last success: 1970-01-01T00:00:02Z, exit 0, 1 s\n"));
  auto json = status({"--output", "json"});
  CHECK(json.exit_code == 0);
  auto j = one_document(json);
  CHECK(j["jobs"][0]["unreadable"].size() == 2);
  CHECK(j["jobs"][0]["last-run"].is_null());
  CHECK(status({"--check"}).exit_code == 1);  // the last success that reads is long overdue
}

namespace {

// A datastore, an empty config (or one with SYNC_INTERVAL) and a lock file whose last success
// finished `age` seconds ago; the endpoint answers nothing, so a run that is not skipped exits 4.
struct IfDueRig {
  TempDir tmp;
  std::string lock = tmp.sub("job.lock");
  std::string conf = tmp.sub("pbs.conf");

  IfDueRig(std::int64_t age, const std::string& conf_text) {
    std::filesystem::create_directories(tmp.sub("store1/.chunks"));
    std::ofstream(conf) << conf_text;
    std::int64_t now = std::time(nullptr);
    auto held = must(RunLock::acquire(lock, LockHolder{::getpid(), "here", now - age - 60, "test", "", ""}));
    must(held.record({now - age - 60, now - age, 0, "{}"}));
  }
  test::CommandResult sync(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv{s3sync_bin(), "sync", tmp.sub("store1"), "s3://bucket/p", "--config", conf,
                                  "--lock-file", lock, "--if-due"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, {"AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b", "AWS_ENDPOINT_URL=http://127.0.0.1:9",
                              "PBS_S3SYNC_DATASTORE_CFG=/nonexistent"});
  }
};

}  // namespace

TEST_CASE("sync --if-due without SYNC_INTERVAL skips a run within a day of the last success", "[cli][lock]") {
  IfDueRig hour_ago(3600, "# no SYNC_INTERVAL\n");
  auto skipped = hour_ago.sync();
  INFO(skipped.out << skipped.err);
  CHECK(skipped.exit_code == 0);
  CHECK_THAT(skipped.out, Catch::Contains("not due") && Catch::Contains("86400 s"));
  // Past the day, the run goes ahead (and finds no endpoint).
  IfDueRig two_days_ago(2 * 86400, "# no SYNC_INTERVAL\n");
  auto due = two_days_ago.sync();
  CHECK(due.exit_code == 4);
  CHECK_THAT(due.out, !Catch::Contains("not due"));
  // SYNC_INTERVAL, when set, decides.
  IfDueRig short_interval(3600, "SYNC_INTERVAL=600\n");
  CHECK(short_interval.sync().exit_code == 4);
}
