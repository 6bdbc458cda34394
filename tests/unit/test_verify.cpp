#include "datagen.h"
#include <unistd.h>

#include "datastore/blob.h"
#include "datastore/local_verify.h"
#include "test_support.h"
#include "util/file_io.h"

using namespace pbs;
using namespace pbs::datastore;
using pbs::test::must;
using pbs::test::TempDir;

namespace {
std::string all_problems(const LocalVerifyReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p.path + ": " + p.message + "\n";
  return s;
}
}  // namespace

TEST_CASE("verify passes on a clean datastore", "[verify]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto stats = must(testgen::generate(root, {}));
  auto r = must(verify_datastore(must(Datastore::open(root))));
  INFO(all_problems(r));
  CHECK(r.ok());
  CHECK(r.snapshots == stats.snapshots);
  CHECK(r.snapshots_ok == stats.snapshots);
  CHECK(r.chunks == stats.unique_chunks);
  CHECK(r.chunk_bytes == stats.unique_chunk_bytes);
}

TEST_CASE("verify names each damaged chunk and the snapshots using it", "[verify]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  must(testgen::generate(root, {}));
  struct Case {
    testgen::ChunkDamage damage;
    const char* expect;
  };
  auto c = GENERATE(Case{testgen::ChunkDamage::flip_byte, "CRC"},
                    Case{testgen::ChunkDamage::bad_digest, "SHA-256"},
                    Case{testgen::ChunkDamage::remove, "missing"},
                    Case{testgen::ChunkDamage::truncate, "shorter"});
  auto damaged = must(testgen::corrupt_chunk(root, c.damage, 3));
  REQUIRE(damaged.paths.size() == 1);
  auto r = must(verify_datastore(must(Datastore::open(root)), {{{}, {}}, 2}));
  INFO(all_problems(r));
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].path == root + "/" + damaged.paths[0]);
  CHECK_THAT(r.problems[0].message, Catch::Contains(c.expect));
  CHECK_FALSE(r.problems[0].snapshots.empty());
  CHECK(r.chunks_bad == 1);
  CHECK(r.snapshots_ok == r.snapshots - r.problems[0].snapshots.size());
}

TEST_CASE("verify names a truncated index", "[verify]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  must(testgen::generate(root, {}));
  auto damaged = must(testgen::truncate_index(root, 5));
  auto r = must(verify_datastore(must(Datastore::open(root))));
  INFO(all_problems(r));
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].path == root + "/" + damaged.paths[0]);
  CHECK(r.snapshots_ok == r.snapshots - 1);
}

TEST_CASE("verify names a damaged manifest and a missing listed file", "[verify]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  must(testgen::generate(root, {}));
  std::string snap = root + "/vm/100/2026-11-02T02:00:00Z";
  SECTION("manifest CRC") {
    auto bytes = test::read_bytes(snap + "/index.json.blob");
    bytes.back() ^= 1;
    must(write_file_atomic(snap + "/index.json.blob", bytes));
    auto r = must(verify_datastore(must(Datastore::open(root))));
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].path == snap + "/index.json.blob");
    CHECK_THAT(r.problems[0].message, Catch::Contains("CRC"));
  }
  SECTION("listed blob missing") {
    REQUIRE(::unlink((snap + "/qemu-server.conf.blob").c_str()) == 0);
    auto r = must(verify_datastore(must(Datastore::open(root))));
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].path == snap + "/qemu-server.conf.blob");
    CHECK_THAT(r.problems[0].message, Catch::Contains("missing"));
  }
  SECTION("blob changed behind the manifest's back") {
    must(write_file_atomic(snap + "/qemu-server.conf.blob", encode_blob(as_bytes("x"), false)));
    auto r = must(verify_datastore(must(Datastore::open(root))));
    REQUIRE(r.problems.size() == 1);
    CHECK_THAT(r.problems[0].message, Catch::Contains("manifest says"));
  }
}
