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
