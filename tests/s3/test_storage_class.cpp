// STORAGE_CLASS against radosgw (tests/s3/rgw.sh defines STANDARD_IA and GLACIER in its
// placement): chunks go in the class, everything else stays STANDARD so that listing a snapshot,
// PBS reading `.cnt/` and this tool reading its records never wait for a thaw.
#include <sys/stat.h>

#include "sync_rig.h"

using namespace pbs;
using namespace pbs::test;

TEST_CASE("chunks are stored in STORAGE_CLASS, snapshot files and records in STANDARD, and a night after sends nothing",
          "[s3][storage-class]") {
  SyncRig rig;
  std::ofstream(rig.conf) << "STORAGE=s3://" << rig.bucket << "@ia:PREFIX=" << rig.prefix << ",STORAGE_CLASS=STANDARD_IA\n";
  ::chmod(rig.conf.c_str(), 0600);
  auto sync = [&] {
    return run_command({s3sync_bin(), "sync", rig.root, "ia", "--config", rig.conf, "--lock-file", rig.lock, "--output", "json"},
                       rig.env());
  };
  auto first = sync();
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  std::size_t chunks = 0, others = 0;
  for (const auto& [rel, o] : rig.remote()) {
    INFO(rel);
    auto head = rig.engine->execute(s3::head_object(rig.bucket, rig.prefix + "/" + rel));
    REQUIRE(head);
    auto cls = head->header("x-amz-storage-class").value_or("STANDARD");
    if (rel.starts_with(".chunks/")) {
      ++chunks;
      CHECK(cls == "STANDARD_IA");
    } else {
      ++others;
      CHECK(cls == "STANDARD");
    }
  }
  CHECK(chunks > 0);
  CHECK(others > 0);
  auto second = parse_summary(sync());
  CHECK(second["exit-code"] == 0);
  CHECK(second["chunks"]["uploaded"] == 0);
  std::string dest = rig.tmp.sub("restored");
  auto restore = rig.run({"restore", "ia", dest, "--output", "json"});
  INFO(restore.out << restore.err);
  REQUIRE(restore.exit_code == 0);
  check_restored_identical(rig.root, dest);
}

TEST_CASE("the bill: a sync's cost at PRICES, a dry run's estimate and the storage it adds, list's monthly storage",
          "[s3][bill]") {
  SyncRig rig;
  std::ofstream(rig.conf) << "STORAGE=s3://" << rig.bucket << "@priced:PREFIX=" << rig.prefix
                          << ",STORAGE_CLASS=STANDARD_IA,PRICES=aws\n";
  ::chmod(rig.conf.c_str(), 0600);
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{s3sync_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const char* a : {"--config", "--lock-file"}) argv.push_back(a), argv.push_back(a[2] == 'c' ? rig.conf : rig.lock);
    return run_command(argv, rig.env());
  };
  auto dry = run({"sync", rig.root, "priced", "--dry-run", "--output", "json"});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  auto d = parse_summary(dry);
  CHECK(d["cost"]["prices"] == "aws");
  CHECK(d["cost"]["estimate"] == true);
  // The planned uploads at $0.005 per 1000 PUTs, beside what the dry run itself asked.
  double planned = d["plan"]["requests"].get<double>() / 1000 * 0.005;
  CHECK(d["cost"]["requests"].get<double>() >= planned);
  CHECK(d["plan"]["storage-added"]["class"] == "STANDARD_IA");
  CHECK(d["plan"]["storage-added"]["per-month"].get<double>() ==
        Approx(d["plan"]["bytes"].get<double>() / 1e9 * 0.0125));
  auto dry_text = run({"sync", rig.root, "priced", "--dry-run"});
  CHECK(dry_text.out.find("estimated cost: $") != std::string::npos);
  CHECK(dry_text.out.find("at aws prices of ") != std::string::npos);

  auto real = run({"sync", rig.root, "priced", "--output", "json"});
  REQUIRE(real.exit_code == 0);
  auto j = parse_summary(real);
  const auto& by = j["requests"]["by-price-class"];
  double expected = by["put-copy-post-list"].get<double>() / 1000 * 0.005 + by["get-head"].get<double>() / 1000 * 0.0004 +
                    by["retention"].get<double>() / 1000 * 0.005;
  CHECK(j["cost"]["estimate"] == false);
  CHECK(j["cost"]["requests"].get<double>() == Approx(expected));
  CHECK(j["cost"]["transfer-out"].get<double>() == Approx(j["bytes-received"].get<double>() / 1e9 * 0.09));
  CHECK(j["cost"]["source"].get<std::string>().starts_with("https://aws.amazon.com/s3/pricing"));

  auto list = parse_summary(run({"list", "priced", "--output", "json"}));
  CHECK(list["storage"]["class"] == "STANDARD_IA");
  CHECK(list["storage"]["bytes"].get<double>() > 0);
  CHECK(list["storage"]["per-month"].get<double>() == Approx(list["storage"]["bytes"].get<double>() / 1e9 * 0.0125));

  // No PRICES and an endpoint no preset names (radosgw here): no figure is made up.
  std::ofstream(rig.conf) << "STORAGE=s3://" << rig.bucket << "@priced:PREFIX=" << rig.prefix << "\n";
  auto unpriced = parse_summary(run({"sync", rig.root, "priced", "--output", "json"}));
  CHECK(unpriced["cost"].is_null());
  // A price name that is no preset is refused with the presets named.
  std::ofstream(rig.conf) << "STORAGE=s3://" << rig.bucket << "@priced:PREFIX=" << rig.prefix << ",PRICES=gcs\n";
  auto refused = run({"sync", rig.root, "priced"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("aws, b2, r2, wasabi, hetzner") != std::string::npos);
}
