#include <sys/wait.h>
#include <unistd.h>

#include "datastore/group_filter.h"
#include "host/run_lock.h"
#include "push/prefix_claim.h"
#include "records/gc_state.h"
#include "records/source_record.h"
#include "remote/key_layout.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::host;
using namespace pbs::datastore;
using namespace pbs::records;
using namespace pbs::push;
using namespace pbs::remote;
using pbs::test::must;
using pbs::test::TempDir;

TEST_CASE("remote keys map to PBS's S3 layout", "[layout]") {
  Digest d{};
  d[0] = 0xbb;
  d[1] = 0x9f;
  CHECK(chunk_rel_key(d) == ".chunks/bb9f/bb9f" + std::string(60, '0'));
  auto snap = must(datastore::parse_snapshot(*datastore::Namespace::parse("a/b"), "vm/100/2026-11-01T02:00:00Z"));
  CHECK(snapshot_file_rel_key(snap, "index.json.blob") ==
        ".cnt/ns/a/ns/b/vm/100/2026-11-01T02:00:00Z/index.json.blob");
  CHECK(group_file_rel_key(snap.group, "owner") == ".cnt/ns/a/ns/b/vm/100/owner");
  CHECK(namespace_marker_rel_key(*datastore::Namespace::parse("a")) == ".cnt/ns/a/.namespace");
}

TEST_CASE("remote content keys parse back, hostile ones are refused", "[layout]") {
  auto k = must(parse_content_key("ns/a/vm/100/2026-11-01T02:00:00Z/drive-scsi0.img.fidx"));
  CHECK(k.kind == ContentKey::Kind::snapshot_file);
  CHECK(k.snapshot.rel_dir() == "ns/a/vm/100/2026-11-01T02:00:00Z");
  CHECK(k.file == "drive-scsi0.img.fidx");
  CHECK(must(parse_content_key("ct/200/owner")).kind == ContentKey::Kind::group_file);
  CHECK(must(parse_content_key("ns/x/ns/y/.namespace")).ns.name() == "x/y");
  CHECK(must(parse_content_key("vm/1/2026-11-01T02:00:00Z/.protected")).file == ".protected");
  for (const char* bad : {"../../etc/passwd", "vm/100/../../../etc/x", "vm/100/2026-11-01T02:00:00Z/../x.blob",
                          "vm/100/yesterday/index.json.blob", "vm/100/2026-11-01T02:00:00Z/evil.sh",
                          "vm/../owner", "xx/100/owner", "vm/100/passwd", "ns//vm/1/owner",
                          "ns/.hidden/vm/1/owner", "vm/100/2026-11-01T02:00:00Z/a/b.blob", ".namespace",
                          "vm/100/2026-11-01T02:00:00Z/.tmp.blob", "vm/100/2026-11-01T02:00:00Z/"}) {
    INFO(bad);
    auto r = parse_content_key(bad);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains(bad));
  }
  std::string hex(64, 'a');
  CHECK(parse_chunk_key("aaaa/" + hex));
  CHECK_FALSE(parse_chunk_key("aaab/" + hex));  // directory must match the digest
  CHECK_FALSE(parse_chunk_key("aaaa/" + hex + ".0.bad"));
  CHECK_FALSE(parse_chunk_key("aaaa/" + std::string(64, 'A')));
}

TEST_CASE("group filters follow PBS's include/exclude rules", "[filter]") {
  auto g = [](const char* t) { return must(datastore::parse_group({}, t)); };
  auto f = [](const char* t) { return must(GroupFilter::parse(t)); };
  CHECK(group_selected({}, g("vm/100")));
  std::vector<GroupFilter> only_vm{f("type:vm")};
  CHECK(group_selected(only_vm, g("vm/100")));
  CHECK_FALSE(group_selected(only_vm, g("ct/100")));
  std::vector<GroupFilter> mixed{f("include:type:vm"), f("group:ct/200"), f("exclude:regex:^vm/1[0-9]$")};
  CHECK(group_selected(mixed, g("vm/100")));
  CHECK_FALSE(group_selected(mixed, g("vm/10")));
  CHECK(group_selected(mixed, g("ct/200")));
  CHECK_FALSE(group_selected(mixed, g("ct/201")));
  std::vector<GroupFilter> exclude_only{f("exclude:type:ct")};
  CHECK(group_selected(exclude_only, g("host/x")));
  CHECK_FALSE(group_selected(exclude_only, g("ct/1")));
  for (const char* bad : {"type:lxc", "group:vm", "regex:(", "kind:vm", "include:"}) {
    INFO(bad);
    CHECK_FALSE(GroupFilter::parse(bad));
  }
}

TEST_CASE("the run lock: exclusive, released by death, records runs", "[lock]") {
  TempDir tmp;
  std::string path = tmp.sub("dir/job.lock");
  LockHolder me{::getpid(), "host1", 1000, "pbs-s3sync sync a b", "/store", "s3://b/p"};
  {
    auto lock = must(RunLock::acquire(path, me));
    // A child process cannot take it while we hold it, and learns who holds it.
    pid_t pid = ::fork();
    if (pid == 0) {
      auto other = RunLock::acquire(path, LockHolder{1, "h", 0, "x", "", ""});
      _exit(!other && other.error().code() == Errc::locked &&
                    other.error().message().find("PID " + std::to_string(me.pid)) != std::string::npos
                ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WEXITSTATUS(status) == 0);
    auto live = must(read_lock_state(path));
    REQUIRE(live.holder);
    CHECK(live.holder->host == "host1");
    must(lock.record({1000, 1010, 0, R"({"snapshots":{"uploaded":3}})"}));
    must(lock.record({2000, 2010, 1, "{}"}));
    CHECK_FALSE(clear_stale_lock(path));  // held: refused
  }
  auto after = must(read_lock_state(path));
  CHECK_FALSE(after.holder);
  CHECK_FALSE(after.stale_holder);  // a run that recorded its end leaves no holder behind
  REQUIRE(after.last_run);
  CHECK(after.last_run->exit_code == 1);
  REQUIRE(after.last_success);
  CHECK(after.last_success->finished == 1010);
  {
    // A run killed before recording its end leaves its holder record: unlock --force clears it.
    auto killed = must(RunLock::acquire(path, me));
  }
  CHECK(must(read_lock_state(path)).stale_holder);
  must(clear_stale_lock(path));
  auto cleared = must(read_lock_state(path));
  CHECK_FALSE(cleared.stale_holder);
  CHECK(cleared.last_success);
  CHECK(must(read_lock_state(tmp.sub("absent.lock"))).last_run == std::nullopt);
}

TEST_CASE("default lock paths keep jobs apart", "[lock]") {
  auto a = default_lock_path("/mnt/a/store1", "s3://bucket/store1");
  auto b = default_lock_path("/mnt/b/store1", "s3://bucket/store1");
  auto c = default_lock_path("/mnt/a/store1", "s3://bucket/other");
  CHECK(a != b);
  CHECK(a != c);
  CHECK_THAT(a, Catch::Contains("store1--bucket_store1--"));
  CHECK_THAT(a, Catch::EndsWith(".lock"));
}

TEST_CASE("a prefix belongs to its first source, and another is refused unless it takes the prefix over", "[owner]") {
  records::SourceRecord a{"pbs-a", "store1", 0, ""};
  records::SourceRecord b{"pbs-b", "store1", 0, ""};
  using Recorded = Result<std::optional<records::SourceRecord>>;
  auto fresh = must(push::claim_prefix(Recorded(std::optional<records::SourceRecord>{}), a, false, false, 1000, "s3://b/p"));
  CHECK(fresh.write);
  CHECK(fresh.owner.since == 0);
  CHECK(fresh.notice.empty());
  auto adopted = must(push::claim_prefix(Recorded(std::optional<records::SourceRecord>{}), a, false, true, 1000, "s3://b/p"));
  CHECK(adopted.owner.since == 0);
  CHECK_THAT(adopted.notice, Catch::Contains("had no source record"));

  records::SourceRecord stored = a;
  stored.since = 500;
  auto same = must(push::claim_prefix(Recorded(std::optional(stored)), a, false, false, 1000, "s3://b/p"));
  CHECK_FALSE(same.write);
  CHECK(same.owner.since == 500);

  auto refused = push::claim_prefix(Recorded(std::optional(stored)), b, false, false, 1000, "s3://b/p");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == Errc::config);
  CHECK_THAT(refused.error().message(), Catch::Contains("datastore 'store1' on host 'pbs-a'"));
  CHECK_THAT(refused.error().message(), Catch::Contains("datastore 'store1' on host 'pbs-b'"));

  auto taken = must(push::claim_prefix(Recorded(std::optional(stored)), b, true, true, 1000, "s3://b/p"));
  CHECK(taken.write);
  CHECK(taken.owner.host == "pbs-b");
  CHECK(taken.owner.since == 1000);
  CHECK(taken.owner.taken_over_from == "datastore 'store1' on host 'pbs-a'");
  auto round = must(records::parse_source_record(records::format_source_record(taken.owner)));
  CHECK(round.taken_over_from == taken.owner.taken_over_from);
  CHECK(round.since == 1000);

  Recorded garbled = Error(Errc::corrupt, ".pbs-s3sync/source: not a source record");
  CHECK_FALSE(push::claim_prefix(garbled, a, false, true, 1000, "s3://b/p"));
  CHECK(must(push::claim_prefix(garbled, a, true, true, 1000, "s3://b/p")).write);
  CHECK_FALSE(records::parse_source_record("{\"host\": \"\", \"datastore\": \"x\"}"));
}

TEST_CASE("the bucket's own records are read strictly: a field of the wrong type is no record", "[owner][gc]") {
  auto gc = must(records::parse_gc_state(R"({"running":true,"host":"h","pid":7,"lease-expires":1796094000})"));
  CHECK(gc.running);
  CHECK(gc.lease_expires == 1796094000);
  CHECK(must(records::parse_gc_state("{}")).lease_expires == 0);
  for (const char* bad : {R"({"lease-expires":1e300})", R"({"running":"yes"})", R"({"pid":18446744073709551615})",
                          R"({"host":7})", "[1]", "garbage"}) {
    INFO(bad);
    auto r = records::parse_gc_state(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::corrupt);
  }
  CHECK(must(records::parse_source_record(R"({"host":"a","datastore":"s","since":5})")).since == 5);
  CHECK_FALSE(records::parse_source_record(R"({"host":"a","datastore":"s","since":5.5})"));
  CHECK_FALSE(records::parse_source_record(R"({"host":"a"})"));
}
