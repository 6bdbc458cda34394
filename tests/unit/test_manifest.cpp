#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::datastore;

namespace {
Manifest sample() {
  Manifest m;
  m.type = BackupType::host;
  m.id = "elsa";
  m.time = 1593179765;
  ManifestFile a;
  a.filename = "test1.img.fidx";
  a.crypt_mode = "encrypt";
  a.size = 200;
  a.csum.fill(1);
  ManifestFile b;
  b.filename = "abc.blob";
  b.size = 200;
  b.csum.fill(2);
  m.files = {a, b};
  return m;
}
}  // namespace

TEST_CASE("manifest JSON has serde's pretty layout and PBS's key order", "[manifest]") {
  std::string json = manifest_to_json(sample());
  std::string expected = R"({
  "backup-type": "host",
  "backup-id": "elsa",
  "backup-time": 1593179765,
  "files": [
    {
      "filename": "test1.img.fidx",
      "crypt-mode": "encrypt",
      "size": 200,
      "csum": "0101010101010101010101010101010101010101010101010101010101010101"
    },
    {
      "filename": "abc.blob",
      "crypt-mode": "none",
      "size": 200,
      "csum": "0202020202020202020202020202020202020202020202020202020202020202"
    }
  ],
  "unprotected": {},
  "signature": null
})";
  CHECK(json == expected);
}

TEST_CASE("manifests round-trip through their blob", "[manifest]") {
  Manifest m = sample();
  m.unprotected["verify_state"] = {{"state", "ok"}, {"upid", "UPID:x"}};
  m.unprotected["notes"] = "hello";
  m.signature = std::string(64, 'a');
  auto blob = encode_manifest_blob(m);
  auto back = parse_manifest_blob(blob);
  REQUIRE(back);
  CHECK(back->type == m.type);
  CHECK(back->id == m.id);
  CHECK(back->time == m.time);
  REQUIRE(back->files.size() == 2);
  CHECK(back->files[0].crypt_mode == "encrypt");
  CHECK(back->files[1].csum == m.files[1].csum);
  CHECK(back->verify_state() == std::optional<std::string>("ok"));
  CHECK(back->signature == m.signature);
  CHECK(back->encrypted());
  CHECK(encode_manifest_blob(*back) == blob);
}

TEST_CASE("crypt-mode defaults to none, unprotected to {}", "[manifest]") {
  auto m = parse_manifest_json(R"({"backup-type":"vm","backup-id":"1","backup-time":5,
    "files":[{"filename":"a.blob","size":1,"csum":")" + std::string(64, '0') + R"("}],
    "signature":null})");
  REQUIRE(m);
  CHECK(m->files[0].crypt_mode == "none");
  CHECK(m->unprotected.is_object());
  CHECK_FALSE(m->signature);
  CHECK_FALSE(m->encrypted());
}

TEST_CASE("malformed manifests are rejected with the field named", "[manifest]") {
  std::string csum(64, '0');
  auto file = [&](std::string extra) {
    return R"({"backup-type":"vm","backup-id":"1","backup-time":5,"files":[)" + extra + "]}";
  };
  struct Case {
    std::string json;
    std::string expect;
  };
  std::vector<Case> cases = {
      {"not json", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"backup-type":"vx","backup-id":"1","backup-time":5,"files":[]})", "backup-type"},
      {R"({"backup-type":"vm","backup-id":"../x","backup-time":5,"files":[]})", "backup-id"},
      {R"({"backup-type":"vm","backup-id":"1","backup-time":"5","files":[]})", "backup-time"},
      {R"({"backup-type":"vm","backup-id":"1","backup-time":5})", "files"},
      {file(R"({"filename":"../../x.blob","size":1,"csum":")" + csum + R"("})"), "not an index"},
      {file(R"({"filename":"a.txt","size":1,"csum":")" + csum + R"("})"), "not an index"},
      {file(R"({"filename":"a.blob","size":-1,"csum":")" + csum + R"("})"), "size"},
      {file(R"({"filename":"a.blob","size":1,"csum":"abc"})"), "csum"},
      {file(R"({"filename":"a.blob","size":1,"csum":")" + csum + R"(","crypt-mode":"rot13"})"), "crypt-mode"},
      {file(R"({"filename":"a.blob","size":1,"csum":")" + csum + R"("},{"filename":"a.blob","size":1,"csum":")" + csum + R"("})"), "twice"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = parse_manifest_json(c.json);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::corrupt);
    CHECK_THAT(r.error().message(), Catch::Contains(c.expect));
  }
}

TEST_CASE("files are checked against their manifest entry", "[manifest]") {
  std::vector<std::uint8_t> data{'x', 'y'};
  auto blob = encode_blob(data, false);
  ManifestFile entry{"conf.blob", "none", blob.size(), sha256(blob)};
  CHECK(check_manifest_file(entry, blob));
  entry.size += 1;
  CHECK_THAT(check_manifest_file(entry, blob).error().message(), Catch::Contains("size"));
  entry.size -= 1;
  entry.csum[0] ^= 1;
  CHECK_THAT(check_manifest_file(entry, blob).error().message(), Catch::Contains("checksum"));

  auto index = make_dynamic_index({100}, {sha256("c")}, 1, {});
  auto bytes = *encode_index(index);
  ManifestFile ientry{"root.pxar.didx", "none", 100, index.csum};
  CHECK(check_manifest_file(ientry, bytes));
  ientry.filename = "root.img.fidx";
  CHECK_THAT(check_manifest_file(ientry, bytes).error().message(), Catch::Contains("index type"));
}
