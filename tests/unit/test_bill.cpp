// The bill: price presets and price files (a preset as BASE, every figure overridable, errors
// naming the file and line), the preset an endpoint's host names, and the arithmetic of a run's
// cost and a prefix's storage a month.
#include <fstream>

#include "bill/cost.h"
#include "bill/price_table.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::bill;
using pbs::test::TempDir;

TEST_CASE("price presets: every one has its source and date, and the figures a bill needs", "[bill]") {
  for (const char* name : {"aws", "b2", "r2", "wasabi", "hetzner"}) {
    INFO(name);
    auto t = preset(name);
    REQUIRE(t);
    CHECK(t->name == name);
    CHECK(t->source.starts_with("https://"));
    CHECK(t->taken.size() == 10);
    CHECK(t->storage("STANDARD") > 0);
    CHECK(t->storage("NO_SUCH_CLASS") == t->storage("STANDARD"));
  }
  CHECK_FALSE(preset("gcs"));
  auto aws = *preset("aws");
  CHECK(aws.storage("DEEP_ARCHIVE") < aws.storage("GLACIER"));
  CHECK(aws.min_days_of("DEEP_ARCHIVE") == 180u);
  CHECK_FALSE(aws.min_days_of("STANDARD"));
  CHECK(preset("wasabi")->min_days_of("STANDARD") == 90u);  // every object, every class
  CHECK(preset("hetzner")->currency == "EUR");
  CHECK(preset("r2")->egress_gb == 0);
}

TEST_CASE("the preset an endpoint's host names", "[bill]") {
  CHECK(preset_for_host("s3.eu-central-1.amazonaws.com") == "aws");
  CHECK(preset_for_host("s3.us-west-004.backblazeb2.com") == "b2");
  CHECK(preset_for_host("0123abcd.r2.cloudflarestorage.com") == "r2");
  CHECK(preset_for_host("s3.eu-central-2.wasabisys.com") == "wasabi");
  CHECK(preset_for_host("fsn1.your-objectstorage.com") == "hetzner");
  CHECK(preset_for_host("127.0.0.1") == "");
  CHECK(preset_for_host("minio.example.com") == "");
}

TEST_CASE("a price file starts from a preset and overrides its figures, and a bad line is named", "[bill]") {
  TempDir dir;
  std::string path = dir.sub("prices");
  std::ofstream(path) << "# negotiated\nBASE=aws\nSTORAGE_GB_MONTH=0.02\nSTORAGE_GB_MONTH.GLACIER=0.003\nPUT_PER_1000=0.004\n"
                         "EGRESS_GB = 0.05\nRETRIEVAL_GB.GLACIER/Bulk=0.001\nCURRENCY=USD\nMIN_DAYS.STANDARD=7\n";
  auto t = load_prices(path);
  REQUIRE(t);
  REQUIRE(*t);
  CHECK((*t)->storage("STANDARD") == 0.02);
  CHECK((*t)->storage("GLACIER") == 0.003);
  CHECK((*t)->storage("DEEP_ARCHIVE") == 0.00099);  // kept from the preset
  CHECK((*t)->request("put-copy-post-list") == 0.004);
  CHECK((*t)->request("get-head") == 0.0004);
  CHECK((*t)->egress_gb == 0.05);
  CHECK((*t)->retrieval_of("GLACIER", "Bulk")->per_gb == 0.001);
  CHECK((*t)->min_days_of("STANDARD") == 7u);
  CHECK((*t)->name.find("from aws") != std::string::npos);

  std::ofstream(path) << "BASE=aws\nPUT_PER_1000=cheap\n";
  auto bad = load_prices(path);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find(path + ":2: PUT_PER_1000: not a price") != std::string::npos);
  std::ofstream(path) << "STORAGE=1\n";
  REQUIRE_FALSE(load_prices(path));
  // A file given by mistake is not echoed: not its values, not a key that is no price key's shape.
  std::ofstream(path) << "aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n";
  auto secret = load_prices(path);
  REQUIRE_FALSE(secret);
  CHECK(secret.error().message().find("wJalrXUtnFEMI") == std::string::npos);
  CHECK(secret.error().message().find("aws_secret") == std::string::npos);
  std::ofstream(path) << "c2VjcmV0IHBhc3NwaHJhc2U=\n";  // a base64 passphrase: its '=' makes it look like KEY=
  auto passphrase = load_prices(path);
  REQUIRE_FALSE(passphrase);
  CHECK(passphrase.error().message().find("c2VjcmV0") == std::string::npos);
  std::ofstream(path) << "PUT_PER_1000=s3cr3t\n";
  CHECK(load_prices(path).error().message().find("s3cr3t") == std::string::npos);
  for (const char* bad : {"PUT_PER_1000=inf\n", "PUT_PER_1000=nan\n", "PUT_PER_1000=-1\n", "MIN_DAYS.STANDARD=1e12\n",
                          "MIN_DAYS.STANDARD=1.5\n"}) {
    INFO(bad);
    std::ofstream(path) << bad;
    CHECK_FALSE(load_prices(path));
  }
  std::ofstream(path) << "PUT_PER_1000=1\nBASE=aws\n";  // BASE only first
  REQUIRE_FALSE(load_prices(path));
  CHECK_FALSE(load_prices(dir.sub("missing")));
  CHECK_FALSE(load_prices("gcs"));
  auto none = load_prices("none");
  REQUIRE(none);
  CHECK_FALSE(*none);
}

TEST_CASE("a run's cost: requests by price class, bytes out, archive retrievals, and storage a month", "[bill]") {
  auto aws = *preset("aws");
  auto classes = by_price_class({{"PutObject", 1800}, {"ListObjectsV2", 200}, {"GetObject", 5000}, {"HeadObject", 5000},
                                 {"DeleteObjects", 3}, {"PutObjectRetention", 1000}, {"RestoreObject", 0}});
  CHECK(classes["put-copy-post-list"] == 2000);
  CHECK(classes["get-head"] == 10000);
  CHECK(classes["delete"] == 3);
  CHECK(classes["retention"] == 1000);
  CHECK(requests_cost(aws, classes) == Approx(2 * 0.005 + 10 * 0.0004 + 1 * 0.005));
  CHECK(transfer_out_cost(aws, 2'000'000'000) == Approx(0.18));
  // 1000 chunks, 4 GB, from GLACIER at the Standard tier: $0.01/GB and $0.05 per 1000.
  CHECK(retrieval_cost(aws, "GLACIER", "Standard", 1000, 4'000'000'000) == Approx(0.04 + 0.05));
  CHECK(retrieval_cost(aws, "GLACIER", "Bulk", 1000, 4'000'000'000) == 0);
  CHECK(retrieval_cost(aws, "STANDARD", "Bulk", 1000, 4'000'000'000) == 0);
  CHECK(storage_month_cost(aws, "", 1'000'000'000'000) == Approx(23));
  CHECK(storage_month_cost(aws, "DEEP_ARCHIVE", 1'000'000'000'000) == Approx(0.99));
  CHECK(money(aws, 0.00012) == "$0.0001");
  CHECK(money(aws, 23) == "$23.00");
  CHECK(money(*preset("hetzner"), 4.99) == "EUR 4.9900");
  CHECK(describe(aws) == "aws prices of 2026-12-07");
}
