// Encrypted syncs against the in-memory bucket: what goes up is PBS's encrypted format, nothing
// plain leaves, nights read only new chunks, a damaged chunk is never sealed, restore --decrypt
// gives the source back byte for byte. radosgw: tests/s3/test_encryption.cpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>

#include <filesystem>
#include <fstream>
#include <set>

#include "crypto/encrypted_blob.h"
#include "crypto/key_file.h"
#include "crypto/sealed_manifest.h"
#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "encryption/encrypted_view.h"
#include "encryption/prefix_key.h"
#include "executor_rig.h"
#include "records/encryption_record.h"
#include "records/record_keys.h"
#include "remote/key_layout.h"

using namespace pbs;
using namespace pbs::test;

namespace {

struct EncryptedRig : ExecutorRig {
  std::string passphrase = tmp.sub("passphrase");
  explicit EncryptedRig(const std::string& text = "a good passphrase\n") {
    std::ofstream(passphrase) << text;
    ::chmod(passphrase.c_str(), 0600);
  }
  push::SyncOptions options(const std::string& file = "") const {
    push::SyncOptions o;
    o.encryption = encryption::KeySource{file.empty() ? passphrase : file, ""};
    return o;
  }
  crypto::CryptKey key() {
    auto k = encryption::open_prefix_key(s3, remote, {passphrase, ""}, false, 0);
    REQUIRE(k);
    return *k->key;
  }
};

// The names of the chunks the finished snapshots reference.
std::set<std::string> plain_chunk_names(const std::string& root) {
  std::set<std::string> out;
  for (const auto& k : local_chunk_keys(root)) out.insert(k.substr(k.rfind('/') + 1));
  return out;
}

}  // namespace

TEST_CASE("an encrypted sync sends only sealed chunks named by their plaintext, and no plain name", "[encryption][executor]") {
  EncryptedRig rig;
  auto s = rig.sync(rig.options());
  REQUIRE(s.complete());
  CHECK(s.encrypted_snapshots == 9);
  CHECK_FALSE(s.key_fingerprint.empty());
  auto plain = plain_chunk_names(rig.root);
  CHECK(s.encrypt_chunks_read == plain.size());
  CHECK(s.chunks_uploaded == plain.size());
  auto key = rig.key();
  std::size_t chunks = 0;
  for (const auto& k : rig.remote_keys(".chunks/")) {
    std::string name = k.substr(k.rfind('/') + 1);
    CHECK_FALSE(plain.count(name));
    const auto& body = rig.s3.objects.at(rig.remote.key(k)).body;
    auto kind = datastore::check_blob(body);
    REQUIRE(kind);
    CHECK(datastore::is_encrypted(*kind));
    auto data = crypto::decode_any_blob(key, body, datastore::kMaxChunkSize);
    REQUIRE(data);
    CHECK(digest_hex(key.chunk_digest(*data)) == name);
    ++chunks;
  }
  CHECK(chunks == plain.size());
  for (const auto& m : rig.manifests()) {
    auto manifest = datastore::parse_manifest_blob(rig.s3.objects.at(rig.remote.key(m)).body);
    REQUIRE(manifest);
    CHECK(crypto::check_manifest_signature(key, *manifest));
  }
  check_remote_snapshots_whole(rig);
}

TEST_CASE("an encrypted night reads only the chunks new to the bucket and an unchanged one reads and sends nothing",
          "[encryption][executor]") {
  EncryptedRig rig;
  REQUIRE(rig.sync(rig.options()).complete());
  auto first = rig.s3.counters().total_requests();
  auto first_gets = rig.s3.counters().requests_of("GetObject");
  auto quiet = rig.sync(rig.options());
  REQUIRE(quiet.complete());
  CHECK(quiet.encrypt_chunks_read == 0);
  CHECK(quiet.encrypted_snapshots == 0);
  CHECK(quiet.chunks_uploaded + quiet.files_uploaded == 0);
  // The usual handful, the encryption record, and the remote manifests (which prove what each
  // came from) in one record; no index is fetched when nothing is new.
  INFO(nlohmann::json(quiet.counters.requests).dump());
  CHECK(quiet.counters.total_requests() - first == 6);
  // .in-use, source, key, retention and sealed-manifests records
  CHECK(quiet.counters.requests_of("GetObject") - first_gets == 5);

  auto before = plain_chunk_names(rig.root);
  must(testgen::add_snapshots(rig.root, 0.2, 5));
  std::size_t fresh = 0;
  for (const auto& n : plain_chunk_names(rig.root)) fresh += !before.count(n);
  REQUIRE(fresh > 0);
  auto night = rig.sync(rig.options());
  REQUIRE(night.complete());
  CHECK(night.encrypt_chunks_read == fresh);
  CHECK(night.chunks_uploaded == fresh);
  CHECK(night.encrypt_chunks_named > 0);
  CHECK(night.encrypted_snapshots == 3);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("a damaged plain chunk is never sealed, its snapshots fail and the others go up", "[encryption][executor]") {
  EncryptedRig rig;
  auto damaged = must(testgen::corrupt_chunk(rig.root, testgen::ChunkDamage::flip_byte, 3));
  auto s = rig.sync(rig.options());
  CHECK_FALSE(s.complete());
  CHECK(s.snapshots_failed > 0);
  CHECK(s.snapshots_uploaded > 0);
  bool named = false;
  for (const auto& e : s.errors) named |= e.message.find(damaged.paths.at(0).substr(damaged.paths.at(0).rfind('/') + 1)) != std::string::npos;
  CHECK(named);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("restore --decrypt writes the source back byte for byte", "[encryption][restore][executor]") {
  EncryptedRig rig;
  REQUIRE(rig.sync(rig.options()).complete());
  restore::RestoreOptions o;
  o.decrypt = std::make_shared<const crypto::CryptKey>(rig.key());
  std::string into = rig.tmp.sub("restored");
  auto r = rig.restore(into, o);
  REQUIRE(r.complete());
  std::size_t compared = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(rig.root)) {
    if (!e.is_regular_file() || e.path().filename() == ".lock") continue;
    std::string rel = std::filesystem::relative(e.path(), rig.root).string();
    INFO(rel);
    CHECK(read_bytes(into + "/" + rel) == read_bytes(e.path().string()));
    ++compared;
  }
  CHECK(compared > 20);

  // Rerun (after an interruption, say): what is restored is recognised, nothing is fetched again.
  auto again = rig.restore(into, o);
  REQUIRE(again.complete());
  CHECK(again.snapshots_present == 9);
  CHECK(again.snapshots_restored == 0);
  CHECK(again.chunks_fetched == 0);
}

TEST_CASE("restore --decrypt refuses a manifest that claims to be encrypted by the tool but is not signed with the key",
          "[encryption][restore][executor]") {
  EncryptedRig rig;
  REQUIRE(rig.sync(rig.options()).complete());
  auto key = rig.key();
  std::string victim = rig.remote.key(rig.manifests().front());
  auto m = must(datastore::parse_manifest_blob(rig.s3.objects.at(victim).body));
  m.files.front().size += 1;  // the signed part
  rig.s3.objects.at(victim).body = datastore::encode_manifest_blob(m);
  restore::RestoreOptions o;
  o.decrypt = std::make_shared<const crypto::CryptKey>(key);
  auto r = rig.restore(rig.tmp.sub("restored"), o);
  CHECK(r.snapshots_failed == 1);
  CHECK(r.snapshots_restored == 8);
  bool named = false;
  for (const auto& e : r.errors) named |= e.object == victim && e.message.find("signature") != std::string::npos;
  CHECK(named);
}

TEST_CASE("a wrong passphrase is refused before any write, naming the file and the expected fingerprint",
          "[encryption][executor]") {
  EncryptedRig rig;
  REQUIRE(rig.sync(rig.options()).complete());
  std::string wrong = rig.tmp.sub("wrong");
  std::ofstream(wrong) << "not the passphrase\n";
  auto puts = rig.s3.count(s3::Op::put_object);
  auto store = rig.store();
  auto r = push::run_sync(store, rig.s3, rig.remote, rig.options(wrong), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::config);
  CHECK(r.error().message().find(wrong) != std::string::npos);
  CHECK(r.error().message().find(crypto::format_fingerprint(rig.key().fingerprint())) != std::string::npos);
  CHECK(rig.s3.count(s3::Op::put_object) == puts);

  auto plain = push::run_sync(store, rig.s3, rig.remote, {}, {});
  REQUIRE_FALSE(plain);
  CHECK(plain.error().message().find("is encrypted") != std::string::npos);
  CHECK(rig.s3.count(s3::Op::put_object) == puts);
}

TEST_CASE("the encryption record round-trips and refuses garbage", "[encryption]") {
  records::EncryptionRecord r;
  r.fingerprint.fill(0xab);
  auto back = records::parse_encryption_record(records::format_encryption_record(r));
  REQUIRE(back);
  CHECK(back->fingerprint == r.fingerprint);
  CHECK_FALSE(back->key_file);
  for (std::string bad : {"", "[]", "{}", R"({"fingerprint":"zz"})", R"({"fingerprint":5})"}) {
    CHECK_FALSE(records::parse_encryption_record(bad));
  }
}

namespace {
records::EncryptionRecord record_of(std::uint8_t fill) {
  records::EncryptionRecord r;
  r.fingerprint.fill(fill);
  return r;
}
std::string current_fingerprint_byte(const FakeS3& s3, const std::string& key) {
  auto r = records::parse_encryption_record(std::string(s3.objects.at(key).body.begin(), s3.objects.at(key).body.end()));
  REQUIRE(r);
  return std::to_string(r->fingerprint[0]);
}
}  // namespace

TEST_CASE("in a versioned bucket a second first run loses to the first key, which stays the record", "[encryption][versions]") {
  FakeS3 s3;
  s3.versioning = "Enabled";  // radosgw ignores If-None-Match here: a second PUT is a new version
  remote::Remote remote{"bucket", "store1"};
  std::string key = remote.key(records::kEncryptionKey);
  s3::PutOptions o;
  o.if_none_match = true;
  auto a = record_of(0xaa), b = record_of(0xbb);
  REQUIRE(records::store_new_encryption_record(s3, remote, records::format_encryption_record(a), a.fingerprint, true, o));
  auto lost = records::store_new_encryption_record(s3, remote, records::format_encryption_record(b), b.fingerprint, true, o);
  REQUIRE_FALSE(lost);
  CHECK(lost.error().code() == Errc::config);
  CHECK(lost.error().message().find("at the same time") != std::string::npos);
  CHECK(current_fingerprint_byte(s3, key) == std::to_string(0xaa));  // later runs read the first key
}

TEST_CASE("in a versioned bucket the first run wins even when a second one wrote before it looked", "[encryption][versions]") {
  FakeS3 s3;
  s3.versioning = "Enabled";
  remote::Remote remote{"bucket", "store1"};
  std::string key = remote.key(records::kEncryptionKey);
  auto a = record_of(0xaa), b = record_of(0xbb);
  std::string b_text = records::format_encryption_record(b);
  bool raced = false;
  // The other run's PUT lands between this run's PUT and its look at the versions.
  s3.on_answer = [&](const s3::Request& r) {
    if (raced || r.op != s3::Op::list_object_versions) return;
    raced = true;
    s3.advance(1);
    s3.put_version(key, {b_text.begin(), b_text.end()}, s3.now_epoch());
  };
  REQUIRE(records::store_new_encryption_record(s3, remote, records::format_encryption_record(a), a.fingerprint, true, {}));
  CHECK(raced);
  CHECK(current_fingerprint_byte(s3, key) == std::to_string(0xaa));  // put back on top of the other
  auto lost = records::store_new_encryption_record(s3, remote, b_text, b.fingerprint, true, {});
  CHECK_FALSE(lost);
  CHECK(current_fingerprint_byte(s3, key) == std::to_string(0xaa));
}

TEST_CASE("with Object Lock, the key record is locked and extended with the snapshots it decrypts", "[encryption][lock][executor]") {
  EncryptedRig rig;
  rig.s3.object_lock = true;
  auto options = rig.options();
  options.lock = retention::LockPolicy{"GOVERNANCE", 30, kDay};
  std::vector<std::string> record_puts;
  bool locked = false;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (!r.key.ends_with(".pbs-s3sync/encryption") || r.method != "PUT") return;
    record_puts.push_back(r.describe());
    for (const auto& [k, v] : r.headers) locked |= k == "x-amz-object-lock-mode" && v == "GOVERNANCE";
  };
  REQUIRE(rig.sync(options).complete());
  REQUIRE(record_puts.size() == 1);
  CHECK(locked);  // written locked, like every object of a locked run
  rig.s3.advance(29 * kDay);   // the coverage is about to run out: a pass
  auto pass = rig.sync(options);
  REQUIRE(pass.complete());
  CHECK(pass.retention_pass);
  bool extended = false;
  for (const auto& d : record_puts) extended |= d.find("PutObjectRetention") != std::string::npos;
  CHECK(extended);
}

TEST_CASE("a passphrase file readable by others is warned about, an empty one refused before any write",
          "[encryption][executor]") {
  EncryptedRig rig;
  ::chmod(rig.passphrase.c_str(), 0644);
  auto s = rig.sync(rig.options());
  REQUIRE(s.complete());
  bool warned = false;
  for (const auto& w : s.warnings) warned |= w.find(rig.passphrase + " holds a passphrase and is readable by group or others") != std::string::npos;
  CHECK(warned);

  EncryptedRig fresh("");
  auto store = fresh.store();
  auto r = push::run_sync(store, fresh.s3, fresh.remote, fresh.options(), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::config);
  CHECK(r.error().message().find(fresh.passphrase + " is empty") != std::string::npos);
  CHECK(fresh.s3.count(s3::Op::put_object) == 0);
}

TEST_CASE("a passphrase file that is binary or huge is refused, extra lines and an unused passphrase are warned about",
          "[encryption]") {
  TempDir tmp;
  std::vector<std::string> warnings;
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::string path = tmp.sub(name);
    std::ofstream(path, std::ios::binary) << bytes;
    ::chmod(path.c_str(), 0600);
    return path;
  };
  auto binary = encryption::read_passphrase_file(write("binary", std::string("ab\0\x01\x02\ncd", 7)), warnings);
  REQUIRE_FALSE(binary);
  CHECK(binary.error().code() == Errc::config);
  CHECK_THAT(binary.error().message(), Catch::Contains("not text"));
  auto huge = encryption::read_passphrase_file(write("huge", std::string(13 << 20, 'x')), warnings);
  REQUIRE_FALSE(huge);
  CHECK_THAT(huge.error().message(), Catch::Contains("larger than the limit"));
  CHECK(warnings.empty());
  auto two = encryption::read_passphrase_file(write("two", "first line\nsecond line\n"), warnings);
  REQUIRE(two);
  CHECK(*two == "first line");
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("more than one line"));

  // KEYFILE unprotected with PASSPHRASE_FILE too: the passphrase opens nothing, which is said.
  EncryptedRig rig;
  crypto::CryptKey key(crypto::CryptKey::random_key());
  std::string keyfile = write("key.json", *crypto::make_key_file(key, crypto::Kdf::none, nullptr, 1593179765));
  auto opened = encryption::open_prefix_key(rig.s3, rig.remote, {rig.passphrase, keyfile}, true, 1593179765);
  REQUIRE(opened);
  bool said = false;
  for (const auto& w : opened->warnings) said |= w.find("PASSPHRASE_FILE is not used") != std::string::npos;
  CHECK(said);
}

TEST_CASE("a view left by a killed run is removed by the next run, a live run's view is not", "[encryption][scratch]") {
  TempDir tmp;
  std::string base = tmp.sub("tmp");
  std::filesystem::create_directories(base);
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", base.c_str(), 1);
  auto views = [&] {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(base)) out.push_back(e.path().string());
    return out;
  };
  auto age = [](const std::string& dir) {
    struct timespec times[2] = {{std::time(nullptr) - 600, 0}, {std::time(nullptr) - 600, 0}};
    ::utimensat(AT_FDCWD, dir.c_str(), times, 0);
  };
  // A run killed with SIGKILL: no destructor ran, its directory stays, and so does a live one's.
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t dead = ::fork();
  if (dead == 0) {
    auto d = ScratchDir::make("pbs-s3sync-view");
    std::ofstream(d->path() + "/index.fidx") << "x";
    ::raise(SIGKILL);
  }
  int status = 0;
  ::waitpid(dead, &status, 0);
  pid_t live = ::fork();
  if (live == 0) {
    auto d = ScratchDir::make("pbs-s3sync-view");
    char c = 'r';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  auto before = views();
  REQUIRE(before.size() == 2);
  for (const auto& d : before) age(d);
  {
    auto next = ScratchDir::make("pbs-s3sync-view");
    REQUIRE(next);
    auto now = views();
    CHECK(now.size() == 2);  // the live run's and this one's: the dead run's is gone
    CHECK(std::count(now.begin(), now.end(), next->path()) == 1);
  }
  ::kill(live, SIGKILL);
  ::waitpid(live, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  // Less than a minute old: never taken for a dead one (it may be a run's, not locked yet).
  auto left = views();
  REQUIRE(left.size() == 1);
  ::utimensat(AT_FDCWD, left[0].c_str(), nullptr, 0);
  {
    auto again = ScratchDir::make("pbs-s3sync-view");
    CHECK(views().size() == 2);
  }
  age(left[0]);
  {
    auto last = ScratchDir::make("pbs-s3sync-view");
    CHECK(views().size() == 1);
  }
  if (saved.empty()) ::unsetenv("TMPDIR"); else ::setenv("TMPDIR", saved.c_str(), 1);
}
