// Object Lock on the request level and in the sync job's rules, against the in-memory bucket:
// lock headers with Content-MD5 on every PUT (AWS refuses lock parameters without it; radosgw
// does not, so only here can a missing one be caught), the kopia rule, the retention record and
// when a pass extends what. Versions themselves: tests/s3/test_object_lock.cpp against radosgw.
#include <algorithm>
#include <ctime>

#include "executor_rig.h"
#include "records/retention_record.h"
#include "report/sync_printer.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "retention/lock_policy.h"
#include "s3/xml.h"
#include "util/calendar.h"
#include "util/duration.h"
#include "util/time_point.h"

using namespace pbs;
using namespace pbs::test;

namespace {

std::string header(const s3::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

push::SyncOptions locked(unsigned days = 30) {
  push::SyncOptions o;
  o.lock = retention::LockPolicy{"COMPLIANCE", days, kDay};
  return o;
}

}  // namespace

TEST_CASE("a PUT with a retention carries the lock headers and Content-MD5", "[lock]") {
  s3::PutOptions o;
  o.retention = s3::Retention{"GOVERNANCE", 1798761600};
  auto r = s3::put_object("b", "k", nullptr, o);
  CHECK(header(r, "x-amz-object-lock-mode") == "GOVERNANCE");
  CHECK(header(r, "x-amz-object-lock-retain-until-date") == "2027-01-01T00:00:00Z");
  CHECK(r.content_md5);
  auto plain = s3::put_object("b", "k", nullptr, {});
  CHECK(header(plain, "x-amz-object-lock-mode").empty());
  CHECK_FALSE(plain.content_md5);

  auto ext = s3::put_object_retention("b", "k", {"COMPLIANCE", 1798761600}, "v1");
  CHECK(ext.method == "PUT");
  CHECK(ext.content_md5);
  std::string body(ext.body->begin(), ext.body->end());
  CHECK(body.find("<Mode>COMPLIANCE</Mode>") != std::string::npos);
  CHECK(body.find("<RetainUntilDate>2027-01-01T00:00:00Z</RetainUntilDate>") != std::string::npos);
  CHECK(std::find(ext.query.begin(), ext.query.end(), s3::QueryParam{"versionId", "v1"}) != ext.query.end());
}

TEST_CASE("the lock configuration, versioning and version listings parse", "[lock][xml]") {
  auto c = s3::parse_lock_configuration(
      "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
      "<Mode>GOVERNANCE</Mode><Days>7</Days></DefaultRetention></Rule></ObjectLockConfiguration>");
  REQUIRE(c);
  CHECK(c->enabled);
  CHECK(c->default_mode == "GOVERNANCE");
  CHECK(c->default_days == 7);
  CHECK(*s3::parse_versioning_status("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>") ==
        "Suspended");
  CHECK(s3::parse_versioning_status("<VersioningConfiguration/>")->empty());
  CHECK_FALSE(s3::parse_versioning_status("<Other/>"));

  auto page = s3::parse_versions_page(
      "<ListVersionsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
      "<NextKeyMarker>a%20b</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker>"
      "<DeleteMarker><Key>a%20b</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest>"
      "<LastModified>2026-12-01T10:00:00.000Z</LastModified></DeleteMarker>"
      "<Version><Key>a%20b</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest>"
      "<LastModified>2026-11-30T10:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>5</Size></Version>"
      "</ListVersionsResult>");
  REQUIRE(page);
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].delete_marker);
  CHECK(page->objects[0].latest);
  CHECK(page->objects[0].key == "a b");
  CHECK(page->objects[1].version_id == "v2");
  CHECK(page->objects[1].size == 5);
  CHECK(page->objects[1].etag == "e");
  CHECK(page->next_key_marker == "a b");
  CHECK(page->next_version_id_marker == "v2");
  CHECK_FALSE(s3::parse_versions_page("<ListVersionsResult><Version><Key>k</Key><Size>1</Size></Version></ListVersionsResult>"));
}

TEST_CASE("kopia's rule: retention at least twice the sync interval plus a day", "[lock]") {
  CHECK_FALSE(retention::check_lock_policy({"GOVERNANCE", 2, kDay}));
  CHECK(retention::check_lock_policy({"GOVERNANCE", 3, kDay}));
  auto weekly = retention::check_lock_policy({"COMPLIANCE", 14, 7 * kDay});
  REQUIRE_FALSE(weekly);
  CHECK(weekly.error().message().find("15 days") != std::string::npos);
  CHECK(retention::check_lock_policy({"COMPLIANCE", 15, 7 * kDay}));
  CHECK_FALSE(retention::check_lock_policy({"SOMETIMES", 30, kDay}));
}

TEST_CASE("the retention record round-trips and a garbled one is refused", "[lock]") {
  records::RetentionRecord r{"COMPLIANCE", 30, 1800000000, 1797400000};
  auto back = records::parse_retention_record(records::format_retention_record(r));
  REQUIRE(back);
  CHECK(back->mode == "COMPLIANCE");
  CHECK(back->days == 30);
  CHECK(back->covered_until == 1800000000);
  CHECK(back->extended_at == 1797400000);
  for (std::string bad : {"", "{}", "[1]", R"({"mode":"GOVERNANCE","days":0,"covered-until":5})",
                          R"({"mode":"GOVERNANCE","days":3,"covered-until":-1})", R"({"mode":7})"}) {
    CHECK_FALSE(records::parse_retention_record(bad));
  }
}

TEST_CASE("a locked sync into a bucket without Object Lock is refused before any write", "[lock][executor]") {
  ExecutorRig rig;
  auto store = rig.store();
  auto r = push::run_sync(store, rig.s3, rig.remote, locked(), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::config);
  CHECK(r.error().message().find("object-lock-enabled-for-bucket") != std::string::npos);
  CHECK(rig.s3.count(s3::Op::put_object) == 0);
}

TEST_CASE("a locked sync locks every object it writes, with Content-MD5, and never relies on If-None-Match",
          "[lock][executor]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  std::int64_t start = rig.s3.now_epoch();
  std::vector<s3::Request> puts;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op == s3::Op::put_object) puts.push_back(r);
  };
  auto s = rig.sync(locked(30));
  REQUIRE(s.complete());
  REQUIRE(s.chunks_uploaded > 0);
  CHECK(s.versioned);
  CHECK(s.chunk_check == "put");  // an empty prefix: nothing to look for
  REQUIRE(!puts.empty());
  for (const auto& p : puts) {
    INFO(p.key);
    CHECK(header(p, "x-amz-object-lock-mode") == "COMPLIANCE");
    auto until = parse_rfc3339(header(p, "x-amz-object-lock-retain-until-date"));
    REQUIRE(until);
    CHECK(*until >= start + 30 * kDay);
    CHECK(p.content_md5);
    CHECK(header(p, "If-None-Match").empty());
  }
  // The first run into an empty prefix records its coverage without extending anything.
  CHECK_FALSE(s.retention_pass);
  CHECK(rig.s3.count(s3::Op::put_object_retention) == 0);
  auto record = records::parse_retention_record(std::string(rig.s3.objects.at("store1/.pbs-s3sync/retention").body.begin(),
                                                         rig.s3.objects.at("store1/.pbs-s3sync/retention").body.end()));
  REQUIRE(record);
  CHECK(record->covered_until == s.lock_until);
}

TEST_CASE("retention follows the data: a pass extends what complete snapshots need, once, and nothing else",
          "[lock][executor]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  REQUIRE(rig.sync(locked(30)).complete());
  // A chunk no snapshot references (as a pruned snapshot leaves behind).
  std::string orphan = "store1/.chunks/ffff/" + std::string(64, 'f');
  rig.s3.objects[orphan] = FakeS3::Object{{1, 2, 3}, rig.s3.now_epoch()};

  auto referenced = referenced_remotely(rig);
  std::set<std::string> extended;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op == s3::Op::put_object_retention) extended.insert(r.key);
  };
  // Within the margin of the end of coverage (30 days - 1 day interval - 1 day): nothing to do.
  rig.s3.advance(27 * kDay);
  auto quiet = rig.sync(locked(30));
  CHECK_FALSE(quiet.retention_pass);
  CHECK(extended.empty());

  rig.s3.advance(2 * kDay);  // 29 days on: the run extends
  std::int64_t now = rig.s3.now_epoch();
  auto s = rig.sync(locked(30));
  REQUIRE(s.complete());
  CHECK(s.retention_pass);
  CHECK(extended.count(orphan) == 0);
  for (const auto& chunk : referenced) CHECK(extended.count("store1/" + chunk) == 1);
  for (const auto& m : rig.manifests()) CHECK(extended.count("store1/" + m) == 1);
  CHECK(s.retention_extended == extended.size());
  CHECK(s.retention_covered_until == now + 30 * kDay);

  extended.clear();
  auto next = rig.sync(locked(30));
  CHECK_FALSE(next.retention_pass);
  CHECK(extended.empty());
}

TEST_CASE("a reused chunk of a leftover is extended to the run's retention, not copied", "[lock][executor]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  auto first = rig.sync(locked(30));
  REQUIRE(first.complete());
  // Lose one snapshot's manifest: its chunks are now leftovers that the rerun reuses.
  auto manifests = rig.manifests();
  REQUIRE(!manifests.empty());
  rig.s3.objects.erase("store1/" + manifests.back());
  std::size_t copies = 0, extensions = 0;
  rig.s3.on_submit = [&](const s3::Request& r) {
    copies += r.op == s3::Op::copy_object;
    extensions += r.op == s3::Op::put_object_retention;
  };
  rig.s3.advance(13 * 3600);
  auto s = rig.sync(locked(30));
  REQUIRE(s.complete());
  CHECK(s.snapshots_uploaded == 1);
  CHECK(copies == 0);
  CHECK(s.chunks_uploaded == 0);
  CHECK(extensions > 0);
}

TEST_CASE("a point in time is given as ISO 8601, local times, @epoch and durations ago", "[pitr]") {
  std::int64_t now = 1800000000;
  CHECK(*parse_time_point("2027-01-01T00:00:00Z", now) == 1798761600);
  CHECK(*parse_time_point("2027-01-01T01:00:00+01:00", now) == 1798761600);
  CHECK(*parse_time_point("2026-12-31T19:00:00.123-05:00", now) == 1798761600);
  CHECK(*parse_time_point("@1798761600", now) == 1798761600);
  CHECK(*parse_time_point("36h", now) == now - 36 * 3600);
  CHECK(*parse_time_point("2d", now) == now - 2 * 86400);
  // No zone: local time, as `date` prints it.
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 30;
  tm.tm_hour = 22;
  tm.tm_isdst = -1;
  CHECK(*parse_time_point("2026-11-30 22:00", now) == std::int64_t(std::mktime(&tm)));
  tm = {};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 30;
  tm.tm_isdst = -1;
  CHECK(*parse_time_point("2026-11-30", now) == std::int64_t(std::mktime(&tm)));
  for (std::string bad : {"", "yesterday", "2026-13-01", "2026-11-30T25:00", "@", "@-5", "3600", "2026-11-30Tx",
                          "2026-11-30 22:00 CET", "0h"}) {
    INFO(bad);
    auto r = parse_time_point(bad, now);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::invalid_argument);
  }
}

TEST_CASE("a point in time is a real date after 1970, and nothing overflows into one", "[pitr]") {
  std::int64_t now = 1800000000;
  CHECK(*parse_time_point("@1", now) == 1);
  CHECK(*parse_time_point("2024-02-29T12:00:00Z", now) == 1709208000);
  CHECK(*parse_time_point("1970-01-01T00:00:01Z", now) == 1);
  CHECK(*parse_time_point("20000d", now) == now - 20000 * 86400LL);
  CHECK(*parse_time_point("@1800000300", now) == now + kFutureSlackSeconds);  // another host's clock
  auto message = [&](const std::string& text) {
    INFO(text);
    auto r = parse_time_point(text, now);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::invalid_argument);
    CHECK(r.error().message().find("'" + text + "'") != std::string::npos);
    return r.error().message();
  };
  // mktime would have rolled these over into March 2nd, December 1st and 01:00 the next day.
  for (std::string bad : {"2026-02-30", "2025-02-29 10:00", "2026-11-31T00:00:00Z", "2026-11-30 24:00"}) {
    CHECK(message(bad).find("no real date") != std::string::npos);
  }
  // strtoll would have clamped these, or taken a sign or a blank.
  for (std::string bad : {"@99999999999999999999", "@9223372036854775808", "@+5", "@ 5", "@5s", "@0x10"}) {
    CHECK(message(bad).find("epoch seconds") != std::string::npos);
  }
  // Before 1970, or 1970-01-01T00:00:00Z itself (as_of 0 means "now").
  for (std::string bad : {"1000000d", "@0", "1970-01-01T00:00:00Z", "1969-12-31T23:00:00Z", "1970-01-01T00:30:00+01:00",
                          "50001d"}) {
    CHECK(message(bad).find("not after 1970") != std::string::npos);
  }
  CHECK(message("99999999999999999999d").find("not a point in time") != std::string::npos);
  CHECK(message("").find("empty") != std::string::npos);
  // The bucket as it is now is what a future time would read: a typo, refused.
  for (std::string bad : {"@9223372036854775807", "@1800000301", "2027-01-16", "2060-01-01T00:00:00Z"}) {
    CHECK(message(bad).find("in the future") != std::string::npos);
  }
}

TEST_CASE("a chunk gone remotely is reported by the pass but does not make every night a pass", "[lock][executor]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  REQUIRE(rig.sync(locked(30)).complete());
  auto referenced = referenced_remotely(rig);
  REQUIRE(!referenced.empty());
  rig.s3.objects.erase("store1/" + *referenced.begin());
  rig.s3.advance(29 * kDay);
  auto s = rig.sync(locked(30));
  CHECK(s.retention_pass);
  CHECK(s.retention_failures == 1);
  CHECK_FALSE(s.complete());  // a complete snapshot lost a chunk: said, exit 1
  bool named = false;
  for (const auto& e : s.errors) named = named || e.message.find(*referenced.begin()) != std::string::npos;
  CHECK(named);
  std::size_t extensions = 0;
  rig.s3.on_submit = [&](const s3::Request& r) { extensions += r.op == s3::Op::put_object_retention; };
  rig.s3.advance(kDay);
  auto next = rig.sync(locked(30));
  CHECK_FALSE(next.retention_pass);
  CHECK(extensions == 0);
}

TEST_CASE("credentials without s3:PutObjectRetention stop the pass at once, saying so", "[lock][executor]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  REQUIRE(rig.sync(locked(30)).complete());
  FakeS3::Fault f;
  f.match = [](const s3::Request& r) { return r.op == s3::Op::put_object_retention; };
  f.status = 403;
  f.code = "AccessDenied";
  f.times = -1;
  rig.s3.fault(f);
  rig.s3.advance(29 * kDay);
  auto store = rig.store();
  auto r = push::run_sync(store, rig.s3, rig.remote, locked(30), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::access_denied);
  CHECK(r.error().message().find("s3:PutObjectRetention") != std::string::npos);
  CHECK(rig.s3.count(s3::Op::put_object_retention) < 64);
}

TEST_CASE("a sync without OBJECT_LOCK into a locked prefix warns that the protection lapses, unless off is said",
          "[lock][executor]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  REQUIRE(rig.sync(locked(30)).complete());
  auto lapsed = rig.sync();
  REQUIRE(lapsed.complete());
  CHECK(lapsed.lock_lapsed == "COMPLIANCE for 30 days");
  CHECK_FALSE(lapsed.lock_off);
  bool warned = false;
  for (const auto& w : lapsed.warnings) warned |= w.find("the protection lapses") != std::string::npos;
  CHECK(warned);
  auto json = report::sync_json(lapsed, 0);
  CHECK(json["object-lock"]["lapsed"] == "COMPLIANCE for 30 days");
  CHECK_THAT(report::sync_metrics(lapsed, 0, 0, std::nullopt), Catch::Contains("pbs_s3sync_object_lock_lapsed{"));

  push::SyncOptions off;
  off.lock_off = true;
  auto meant = rig.sync(off);
  REQUIRE(meant.complete());
  CHECK(meant.lock_off);
  for (const auto& w : meant.warnings) CHECK(w.find("lapses") == std::string::npos);
  bool noticed = false;
  for (const auto& n : meant.notices) noticed |= n.find("OBJECT_LOCK=off") != std::string::npos;
  CHECK(noticed);
}
