// Encrypted syncs on radosgw: every object checked with the exported key (chunk names from their
// plaintext, index checksums, manifest signatures), no plain chunk name in the bucket, an
// incremental night that reads only the new chunks, restore as stored and --decrypt, refusals
// that write nothing, and kill -9 mid-run.
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/encrypted_blob.h"
#include "crypto/key_file.h"
#include "crypto/sealed_manifest.h"
#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "encryption/encrypted_view.h"
#include "encryption/prefix_key.h"
#include "records/encryption_record.h"
#include "records/sealed_manifests.h"
#include "sync_rig.h"

using namespace pbs;
using namespace pbs::test;

namespace {

testgen::GenConfig small_with_encrypted_group() {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 40;
  cfg.archive_chunks = 20;
  return cfg;  // with the client-encrypted group: it goes up as it is
}

std::string write_passphrase(SyncRig& rig, const std::string& name, const std::string& text) {
  std::string path = rig.tmp.sub(name);
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0600);
  return path;
}

std::vector<std::string> encrypt_args(const std::string& passphrase_file) {
  return {"--encrypt", "--passphrase-file", passphrase_file};
}

crypto::CryptKey exported_key(SyncRig& rig, const std::string& passphrase_file) {
  auto r = rig.run({"key", "export", rig.target(), "--passphrase-file", passphrase_file, "--kdf", "none"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto file = crypto::parse_key_file(r.out);
  REQUIRE(file);
  CHECK(file->kdf == crypto::Kdf::none);
  auto key = crypto::open_key_file(*file, nullptr);
  REQUIRE(key);
  return *key;
}

// Plain chunk names of the source, but those of client-encrypted chunks (those go up as they are).
std::set<std::string> plain_chunk_names(const std::string& root) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root + "/.chunks")) {
    if (!e.is_regular_file()) continue;
    auto bytes = read_bytes(e.path().string());
    auto kind = datastore::check_blob(bytes);
    if (kind && !datastore::is_encrypted(*kind)) out.insert(e.path().filename().string());
  }
  return out;
}

struct Checked {
  std::size_t ours = 0;     // snapshots this tool encrypted
  std::size_t as_is = 0;    // snapshots the client encrypted
  std::size_t chunks = 0;   // chunk objects decrypted and found named by their plaintext
};

// Every manifest, index and chunk of the bucket, checked with the key; every snapshot complete.
Checked check_encrypted_bucket(SyncRig& rig, const crypto::CryptKey& key) {
  auto remote = rig.remote();
  Checked c;
  std::set<std::string> decrypted;
  for (const auto& [k, obj] : remote) {
    if (!k.ends_with("/index.json.blob")) continue;
    INFO(k);
    std::string dir = k.substr(0, k.size() - 15);
    auto m = datastore::parse_manifest_blob(rig.get(k));
    REQUIRE(m);
    bool ours = m->unprotected.contains("sync-source-signature");
    CHECK(m->encrypted());
    if (ours) {
      ++c.ours;
      CHECK(crypto::check_manifest_signature(key, *m));
      CHECK(m->unprotected.contains(std::string(crypto::kSourceManifestField)));
    } else {
      ++c.as_is;
    }
    for (const auto& f : m->files) {
      INFO(f.filename);
      REQUIRE(remote.count(dir + f.filename));
      CHECK(f.crypt_mode == "encrypt");
      auto bytes = rig.get(dir + f.filename);
      CHECK(datastore::check_manifest_file(f, bytes));  // index csum recomputed, blob SHA-256
      auto kind = datastore::snapshot_file_kind(f.filename);
      if (!kind || !datastore::is_index_kind(*kind)) {
        if (ours) CHECK(crypto::decode_any_blob(key, bytes));
        continue;
      }
      auto index = datastore::parse_index(bytes);
      REQUIRE(index);
      for (const auto& d : index->digests) {
        std::string hex = digest_hex(d);
        std::string rel = ".chunks/" + hex.substr(0, 4) + "/" + hex;
        REQUIRE(remote.count(rel));
        if (!ours || !decrypted.insert(hex).second) continue;
        auto plain = crypto::decode_any_blob(key, rig.get(rel), datastore::kMaxChunkSize);
        REQUIRE(plain);
        CHECK(key.chunk_digest(*plain) == d);
      }
    }
  }
  c.chunks = decrypted.size();
  return c;
}

}  // namespace

TEST_CASE("an encrypted sync stores every plain snapshot in PBS's encrypted format, checked with the exported key",
          "[encryption]") {
  SyncRig rig(small_with_encrypted_group());
  std::string pass = write_passphrase(rig, "passphrase", "correct horse battery staple\n");
  auto r = rig.sync(encrypt_args(pass));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  REQUIRE(j.contains("encryption"));
  CHECK(j["encryption"]["snapshots-encrypted"] > 0);

  auto key = exported_key(rig, pass);
  auto show = rig.run({"key", "show", rig.target()});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find(crypto::format_fingerprint(key.fingerprint())) != std::string::npos);
  CHECK(j["encryption"]["key-fingerprint"] == crypto::short_fingerprint(key.fingerprint()));
  // Neither the passphrase nor the key appear in what the run printed.
  CHECK(r.out.find("correct horse") == std::string::npos);
  CHECK(r.err.find("correct horse") == std::string::npos);

  Checked c = check_encrypted_bucket(rig, key);
  CHECK(c.ours > 0);
  CHECK(c.as_is > 0);  // the client-encrypted group went up as it was
  CHECK(c.chunks > 0);
  // No plain chunk name of the source is in the bucket.
  std::size_t leaked = 0;
  auto remote = rig.remote();
  for (const auto& name : plain_chunk_names(rig.root)) {
    leaked += remote.count(".chunks/" + name.substr(0, 4) + "/" + name);
  }
  CHECK(leaked == 0);

  // verify --deep with the key decrypts every chunk and checks its name; a chunk swapped for
  // another (valid, encrypted, CRC fine) is caught only with the key.
  auto deep = rig.run({"--output", "json", "verify", rig.target(), "--deep", "--passphrase-file", pass});
  INFO(deep.out << deep.err);
  REQUIRE(deep.exit_code == 0);
  CHECK(nlohmann::json::parse(deep.out)["chunks-decrypted"] == c.chunks);
  std::vector<std::string> ours;  // chunks sealed by the sync: no local chunk file has their name
  for (const auto& [k, o] : remote) {
    if (k.starts_with(".chunks/") && !file_exists(rig.root + "/" + k)) ours.push_back(k);
  }
  REQUIRE(ours.size() >= 2);
  rig.put(ours[0], rig.get(ours[1]));
  // Without the key only structure and CRC are checked: the swap passes.
  CHECK(rig.run({"verify", rig.target(), "--deep"}).exit_code == 0);
  auto caught = rig.run({"verify", rig.target(), "--deep", "--passphrase-file", pass});
  CHECK(caught.exit_code == 1);
  CHECK(caught.out.find("plaintext does not have its name") != std::string::npos);

  // The protected key file in the bucket opens with the passphrase as a PBS key file.
  auto record = records::parse_encryption_record(std::string(reinterpret_cast<const char*>(rig.get(".pbs-s3sync/encryption").data()),
                                                          rig.get(".pbs-s3sync/encryption").size()));
  REQUIRE(record);
  REQUIRE(record->key_file);
  auto wrapped = crypto::parse_key_file(*record->key_file);
  REQUIRE(wrapped);
  CHECK(wrapped->kdf == crypto::Kdf::scrypt);
  std::string passphrase = "correct horse battery staple";
  auto opened = crypto::open_key_file(*wrapped, &passphrase);
  REQUIRE(opened);
  CHECK(opened->fingerprint() == key.fingerprint());
}

TEST_CASE("after a 1% change an encrypted run reads only the new chunks, restore --decrypt is byte-identical and restore "
          "as stored verifies with the key",
          "[encryption][restore]") {
  SyncRig rig(small_with_encrypted_group());
  std::string pass = write_passphrase(rig, "passphrase", "another passphrase\n");
  REQUIRE(rig.sync(encrypt_args(pass)).exit_code == 0);

  auto before = expected_objects(rig.root);
  REQUIRE(testgen::add_snapshots(rig.root, 0.05, 99));
  // The chunks the new snapshots brought: plain ones are read and sealed, the client's go as they are.
  std::uint64_t new_bytes = 0;
  std::size_t new_plain = 0, new_chunks = 0;
  for (const auto& [k, path] : expected_objects(rig.root)) {
    if (before.count(k) || !k.starts_with(".chunks/")) continue;
    ++new_chunks;
    auto bytes = read_bytes(path);
    if (datastore::is_encrypted(*datastore::check_blob(bytes))) continue;
    ++new_plain;
    new_bytes += bytes.size();
  }
  REQUIRE(new_plain > 0);

  auto r = rig.sync(encrypt_args(pass));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  INFO(j.dump());
  // Only the chunks new to the remote were opened: the rest were named by remote indexes.
  CHECK(j["encryption"]["chunks-read"] == new_plain);
  CHECK(std::uint64_t(j["encryption"]["bytes-read"]) == new_bytes);
  CHECK(j["encryption"]["chunks-named-remotely"] > 0);
  CHECK(j["chunks"]["uploaded"] == new_chunks);

  // A rerun with nothing new reads nothing and sends nothing.
  auto again = parse_summary(rig.sync(encrypt_args(pass)));
  CHECK(again["encryption"]["chunks-read"] == 0);
  CHECK(again["chunks"]["uploaded"] == 0);
  CHECK(again["files"]["uploaded"] == 0);

  auto key = exported_key(rig, pass);
  check_encrypted_bucket(rig, key);

  std::string plain = rig.tmp.sub("decrypted");
  auto d = rig.run({"restore", rig.target(), plain, "--decrypt", "--passphrase-file", pass});
  INFO(d.err);
  REQUIRE(d.exit_code == 0);
  check_restored_identical(rig.root, plain);

  std::string stored = rig.tmp.sub("as-stored");
  auto s = rig.run({"restore", rig.target(), stored});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  auto store = datastore::Datastore::open(stored);
  REQUIRE(store);
  std::size_t verified = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(stored)) {
    if (e.path().filename() != "index.json.blob") continue;
    auto m = datastore::parse_manifest_blob(read_bytes(e.path().string()));
    REQUIRE(m);
    if (!m->unprotected.contains("sync-source-signature")) continue;
    CHECK(crypto::check_manifest_signature(key, *m));
    for (const auto& f : m->files) {
      auto bytes = read_bytes(e.path().parent_path().string() + "/" + f.filename);
      CHECK(datastore::check_manifest_file(f, bytes));
      auto index = datastore::parse_index(bytes);
      if (!index) continue;
      for (const auto& dg : index->digests) {
        auto plain_chunk = crypto::decode_any_blob(key, read_bytes(store->chunk_path(dg)), datastore::kMaxChunkSize);
        REQUIRE(plain_chunk);
        CHECK(key.chunk_digest(*plain_chunk) == dg);
      }
    }
    ++verified;
  }
  CHECK(verified > 0);
}

TEST_CASE("a wrong passphrase, an unreadable passphrase file and mixing plain with encrypted are refused before any write",
          "[encryption]") {
  SyncRig rig(small_with_encrypted_group());
  std::string pass = write_passphrase(rig, "passphrase", "the right one\n");
  REQUIRE(rig.sync(encrypt_args(pass)).exit_code == 0);
  auto snapshot = rig.remote();
  auto same_bucket = [&] {
    auto now = rig.remote();
    REQUIRE(now.size() == snapshot.size());
    for (const auto& [k, o] : now) CHECK(o.etag == snapshot.at(k).etag);
  };
  must(testgen::add_snapshots(rig.root, 0.05, 7));

  std::string wrong = write_passphrase(rig, "wrong", "the wrong one\n");
  auto r = rig.sync(encrypt_args(wrong));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(wrong) != std::string::npos);
  CHECK(r.err.find("fingerprint") != std::string::npos);
  same_bucket();

  auto missing = rig.sync(encrypt_args(rig.tmp.sub("no-such-file")));
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no-such-file") != std::string::npos);
  same_bucket();

  auto plain = rig.sync();
  CHECK(plain.exit_code == 2);
  CHECK(plain.err.find("is encrypted") != std::string::npos);
  same_bucket();

  // The other way round: an encrypted run into a plain prefix.
  SyncRig plain_rig(small_with_encrypted_group());
  REQUIRE(plain_rig.sync().exit_code == 0);
  auto objects = plain_rig.remote().size();
  std::string p2 = write_passphrase(plain_rig, "passphrase", "whatever\n");
  auto mixed = plain_rig.sync(encrypt_args(p2));
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.err.find("not encrypted") != std::string::npos);
  CHECK(plain_rig.remote().size() == objects);
}

TEST_CASE("kill -9 during an encrypted sync leaves no remote snapshot with missing pieces and the rerun converges",
          "[encryption][crash]") {
  testgen::GenConfig cfg = small_with_encrypted_group();
  cfg.disk_chunks = 120;
  SyncRig rig(cfg);
  std::string pass = write_passphrase(rig, "passphrase", "kill me softly\n");
  int landed_mid_run = 0;  // killed with the key stored and chunks up, before it ended
  for (int delay_ms : {300, 900, 1500}) {
    INFO("killed after " << delay_ms << " ms");
    auto args = encrypt_args(pass);
    args.insert(args.end(), {"--bandwidth-limit", "2M", "-j", "4"});
    BackgroundCommand run(rig.argv(args), rig.env());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    run.kill(SIGKILL);
    auto killed = run.wait();
    if (!rig.remote().count(".pbs-s3sync/encryption")) continue;  // killed before the key was stored
    landed_mid_run += killed.exit_code == 128 + SIGKILL && rig.remote().size() > 1;
    check_encrypted_bucket(rig, exported_key(rig, pass));
  }
  CHECK(landed_mid_run >= 1);
  auto r = rig.sync(encrypt_args(pass));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto key = exported_key(rig, pass);
  Checked c = check_encrypted_bucket(rig, key);
  CHECK(c.ours > 0);
  auto again = parse_summary(rig.sync(encrypt_args(pass)));
  CHECK(again["chunks"]["uploaded"] == 0);
  CHECK(again["files"]["uploaded"] == 0);
  std::string plain = rig.tmp.sub("decrypted");
  REQUIRE(rig.run({"restore", rig.target(), plain, "--decrypt", "--passphrase-file", pass}).exit_code == 0);
  check_restored_identical(rig.root, plain);
}

TEST_CASE("an encrypted no-op sends six requests however many snapshots there are, and a record of manifests that "
          "does not match the bucket is not believed",
          "[encryption][noop]") {
  SyncRig rig(small_with_encrypted_group());
  std::string pass = write_passphrase(rig, "passphrase", "no-op passphrase\n");
  REQUIRE(rig.sync(encrypt_args(pass)).exit_code == 0);
  const std::string record = ".pbs-s3sync/sealed-manifests";
  REQUIRE(rig.remote().count(record));
  auto noop = [&] {
    auto r = rig.sync(encrypt_args(pass));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto j = parse_summary(r);
    CHECK(j["chunks"]["uploaded"] == 0);
    CHECK(j["files"]["uploaded"] == 0);
    CHECK(j["encryption"]["chunks-read"] == 0);
    return j;
  };
  auto ours = [&] {  // remote snapshots this tool encrypted (the client's go as they are)
    std::size_t n = 0;
    for (const auto& [k, o] : rig.remote()) {
      if (!k.ends_with("/index.json.blob")) continue;
      n += datastore::parse_manifest_blob(rig.get(k))->unprotected.contains("sync-source-signature");
    }
    return n;
  };
  auto requests = [](const nlohmann::json& j, const char* op) { return int(j["requests"]["by-operation"].value(op, 0)); };

  // .in-use, the source, encryption, retention and manifests records, and the listing.
  auto first = noop();
  INFO(first["requests"].dump());
  CHECK(first["requests"]["total"] == 6);
  CHECK(requests(first, "PutObject") == 0);
  std::size_t before = ours();
  REQUIRE(before > 2);

  // Twice the snapshots: the same six.
  REQUIRE(testgen::add_snapshots(rig.root, 0.05, 5));
  REQUIRE(testgen::add_snapshots(rig.root, 0.05, 6));
  REQUIRE(rig.sync(encrypt_args(pass)).exit_code == 0);
  REQUIRE(ours() > before);
  auto grown = noop();
  CHECK(grown["requests"]["total"] == 6);

  // One snapshot's entry holds another's manifest: the listing shows a different one, so that
  // manifest alone is read, and the record is written again.
  auto text = rig.get(record);
  auto recorded = records::parse_sealed_manifests({reinterpret_cast<const char*>(text.data()), text.size()});
  REQUIRE(recorded);
  REQUIRE(recorded->size() >= 2);
  auto it = recorded->begin();
  auto swapped = *recorded;
  swapped[it->first] = std::next(it)->second;
  auto lie = records::format_sealed_manifests(swapped);
  rig.put(record, {lie.begin(), lie.end()});
  auto caught = noop();
  CHECK(requests(caught, "GetObject") == 5 + 1);
  CHECK(requests(caught, "PutObject") == 1);
  CHECK(rig.get(record) == text);  // as it was: every entry is the listed manifest again
  CHECK(noop()["requests"]["total"] == 6);

  // A record that does not read at all: every manifest is read, nothing else changes.
  rig.put(record, {'x', 'y'});
  auto unreadable = noop();
  CHECK(requests(unreadable, "GetObject") == 5 + int(ours()));
  CHECK(noop()["requests"]["total"] == 6);
}
