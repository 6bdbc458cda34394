// Archive tiers as a reader meets them: the x-amz-restore header, the retrieval tiers and how long
// AWS documents each to take, how often a waiting restore looks again, and the RestoreObject
// request it sends.
#include <string>

#include "s3/request.h"
#include "test_support.h"
#include "thaw/archive_tier.h"

using namespace pbs;
using namespace pbs::thaw;

TEST_CASE("x-amz-restore: none, under way, and readable with its expiry", "[thaw]") {
  CHECK(parse_restore_header("").kind == RestoreState::Kind::none);
  CHECK(parse_restore_header("ongoing-request=\"true\"").kind == RestoreState::Kind::ongoing);
  auto done = parse_restore_header("ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"");
  CHECK(done.kind == RestoreState::Kind::readable);
  CHECK(done.expiry == "Fri, 21 Dec 2012 00:00:00 GMT");
  CHECK(parse_restore_header("ongoing-request=\"TRUE\"").kind == RestoreState::Kind::ongoing);
  CHECK(parse_restore_header("ongoing-request=\"maybe").kind == RestoreState::Kind::none);  // unclosed: not trusted
  // Unquoted, as some providers write it.
  auto bare = parse_restore_header("ongoing-request=false, expiry-date=Fri, 21 Dec 2012 00:00:00 GMT");
  CHECK(bare.kind == RestoreState::Kind::readable);
  CHECK(parse_restore_header("ongoing-request = true").kind == RestoreState::Kind::ongoing);
}

TEST_CASE("retrieval tiers: names, the classes that need them, their times and the polling cadence", "[thaw]") {
  CHECK(parse_tier("Bulk") == Tier::bulk);
  CHECK(parse_tier("EXPEDITED") == Tier::expedited);
  CHECK_FALSE(parse_tier("fast"));
  CHECK(tier_name(Tier::standard) == "Standard");
  CHECK(s3::is_archive_class("GLACIER"));
  CHECK(s3::is_archive_class("DEEP_ARCHIVE"));
  CHECK_FALSE(s3::is_archive_class("GLACIER_IR"));
  CHECK_FALSE(s3::is_archive_class("STANDARD_IA"));
  CHECK(describe(*tier_time("GLACIER", Tier::expedited)) == "1-5 minutes");
  CHECK(describe(*tier_time("GLACIER", Tier::standard)) == "3-5 hours");
  CHECK(describe(*tier_time("GLACIER", Tier::bulk)) == "5-12 hours");
  CHECK(describe(*tier_time("DEEP_ARCHIVE", Tier::standard)) == "within 12 hours");
  CHECK(describe(*tier_time("DEEP_ARCHIVE", Tier::bulk)) == "within 48 hours");
  CHECK_FALSE(tier_time("DEEP_ARCHIVE", Tier::expedited));
  // A tenth of the usual time, at least a minute, at most an hour.
  CHECK(poll_seconds(*tier_time("GLACIER", Tier::expedited)) == 60);
  CHECK(poll_seconds(*tier_time("GLACIER", Tier::standard)) == 1080);
  CHECK(poll_seconds(*tier_time("DEEP_ARCHIVE", Tier::bulk)) == 3600);
}

TEST_CASE("RestoreObject: POST ?restore with the days and tier, and 409 (already under way) as an answer", "[thaw]") {
  auto r = s3::restore_object("b", "p/.chunks/abcd/abcd", 3, "Bulk");
  CHECK(r.method == "POST");
  CHECK(s3::op_name(r.op) == "RestoreObject");
  CHECK(s3::price_class(s3::op_name(r.op)) == "put-copy-post-list");
  REQUIRE(r.query.size() == 1);
  CHECK(r.query[0].first == "restore");
  std::string body(r.body->begin(), r.body->end());
  CHECK(body.find("<Days>3</Days>") != std::string::npos);
  CHECK(body.find("<Tier>Bulk</Tier>") != std::string::npos);
  CHECK(r.accepts(202));
  CHECK(r.accepts(409));
  CHECK_FALSE(r.accepts(403));
}
