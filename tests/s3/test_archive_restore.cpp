// Restores from a prefix whose chunks are in an archive tier, through the fault proxy's archive
// mode (archive_mode.py: GET 403 InvalidObjectState until a RestoreObject's copy is readable, 202
// then 409 then 200 on POST ?restore, x-amz-restore on HEAD, the class in listings) in front of
// radosgw, which has no RestoreObject: exactly the chunks the chosen snapshots need are asked for,
// once, and the restore waits for them or ends and is finished by a rerun.
#include <algorithm>
#include <filesystem>
#include <set>

#include "datastore/index_file.h"
#include "sync_rig.h"
#include "util/file_io.h"

using namespace pbs;
using namespace pbs::test;
namespace fs = std::filesystem;

namespace {

testgen::GenConfig small_store() {
  testgen::GenConfig c;
  c.vms = 2, c.cts = 1, c.hosts = 0, c.snapshots = 2, c.disk_chunks = 12, c.archive_chunks = 8;
  c.namespaces = false, c.encrypted_group = false, c.extras = false;
  return c;
}

// The distinct chunks a local snapshot's indexes reference, as the hex names of their files.
std::set<std::string> chunks_of(const fs::path& snapshot_dir) {
  std::set<std::string> out;
  for (const auto& f : fs::directory_iterator(snapshot_dir)) {
    auto name = f.path().filename().string();
    if (!name.ends_with(".fidx") && !name.ends_with(".didx")) continue;
    auto bytes = read_file(f.path().string());
    REQUIRE(bytes);
    auto ix = datastore::parse_index(*bytes);
    REQUIRE(ix);
    for (const auto& d : ix->digests) out.insert(digest_hex(d));
  }
  return out;
}

// "vm/ID/TIME": the oldest snapshot of the `n`-th VM group (by ID).
std::string vm_snapshot(const std::string& root, std::size_t n) {
  std::vector<std::string> groups, times;
  for (const auto& g : fs::directory_iterator(fs::path(root) / "vm")) groups.push_back(g.path().filename().string());
  std::sort(groups.begin(), groups.end());
  REQUIRE(n < groups.size());
  for (const auto& t : fs::directory_iterator(fs::path(root) / "vm" / groups[n])) {
    if (t.is_directory()) times.push_back(t.path().filename().string());
  }
  std::sort(times.begin(), times.end());
  REQUIRE(!times.empty());
  return "vm/" + groups[n] + "/" + times.front();
}

std::vector<std::uint8_t> bytes_of(const fs::path& p) {
  auto b = read_file(p.string());
  REQUIRE(b);
  return *b;
}

// pbs-s3sync ARGS... EXTRA... through the archive proxy, with the rig's config, polling fast.
CommandResult via_proxy(const SyncRig& rig, FaultProxy& proxy, std::vector<std::string> args,
                        const std::vector<std::string>& extra) {
  args.insert(args.begin(), s3sync_bin());
  for (const auto& a : {"--config", rig.conf.c_str(), "--lock-file", rig.lock.c_str(), "--output", "json"}) args.push_back(a);
  args.insert(args.end(), extra.begin(), extra.end());
  return run_command(args, rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint(), "PBS_S3SYNC_THAW_POLL_SECONDS=0.5"}));
}

std::string chunk_of_path(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The snapshot's files and chunks are in `dest` byte for byte.
void check_snapshot_restored(const fs::path& src_root, const fs::path& dest_root, const std::string& rel) {
  for (const auto& f : fs::directory_iterator(src_root / rel)) {
    INFO(f.path());
    CHECK(bytes_of(f.path()) == bytes_of(dest_root / rel / f.path().filename()));
  }
  for (const auto& hex : chunks_of(src_root / rel)) {
    auto chunk = fs::path(".chunks") / hex.substr(0, 4) / hex;
    INFO(chunk);
    CHECK(bytes_of(src_root / chunk) == bytes_of(dest_root / chunk));
  }
}

}  // namespace

TEST_CASE("a restore of one snapshot from archived chunks asks for exactly its chunks, --request-only ends, "
          "and the rerun restores it byte-identical without asking again",
          "[s3][archive]") {
  SyncRig rig(small_store());
  REQUIRE(rig.sync().exit_code == 0);
  FaultProxy proxy;
  proxy.archive("/.chunks/", 2.0);
  std::string rel = vm_snapshot(rig.root, 0);
  auto wanted = chunks_of(fs::path(rig.root) / rel);
  REQUIRE(wanted.size() > 4);
  std::string dest = rig.tmp.sub("restored");
  auto restore = [&](std::vector<std::string> extra) {
    return via_proxy(rig, proxy, {"restore", rig.target(), dest, "--snapshot", rel}, extra);
  };

  auto asked = restore({"--request-only", "--restore-tier", "bulk"});
  INFO(asked.out << asked.err);
  REQUIRE(asked.exit_code == 0);
  auto j = parse_summary(asked);
  CHECK(j["archived"]["storage-class"] == "GLACIER");
  CHECK(j["archived"]["tier"] == "Bulk");
  CHECK(j["archived"]["needed"] == wanted.size());
  CHECK(j["archived"]["asked"] == wanted.size());
  CHECK(j["archived"]["waiting"] == wanted.size());
  CHECK(j["snapshots"]["restored"] == 0);
  auto stats = proxy.stats();
  std::set<std::string> asked_for;
  for (const auto& p : stats.restore_asked) asked_for.insert(chunk_of_path(p));
  CHECK(asked_for == wanted);  // exactly the snapshot's chunks: no other snapshot's, none twice
  CHECK(stats.restore_asked.size() == wanted.size());
  CHECK(std::set<std::string>(stats.restore_tiers.begin(), stats.restore_tiers.end()) == std::set<std::string>{"Bulk"});
  CHECK_FALSE(fs::exists(fs::path(dest) / rel / "index.json.blob"));

  // Still under way: nothing asked again.
  auto again = parse_summary(restore({"--request-only"}));
  CHECK(again["archived"]["asked"] == 0);
  CHECK(again["archived"]["asked-earlier"] == wanted.size());
  CHECK(proxy.stats().restore_posts == int(wanted.size()));

  // Waits until readable, then restores.
  auto done = restore({});
  INFO(done.out << done.err);
  REQUIRE(done.exit_code == 0);
  auto d = parse_summary(done);
  CHECK(d["snapshots"]["restored"] == 1);
  CHECK(d["archived"]["asked"] == 0);
  CHECK(d["chunks"]["fetched"].get<std::size_t>() + d["chunks"]["present"].get<std::size_t>() >= wanted.size() - 1);
  CHECK(proxy.stats().restore_posts == int(wanted.size()));
  check_snapshot_restored(rig.root, dest, rel);
}

TEST_CASE("chunks a lifecycle rule archived are met by the reads, asked for, waited for, and the restore completes",
          "[s3][archive]") {
  SyncRig rig(small_store());
  REQUIRE(rig.sync().exit_code == 0);
  FaultProxy proxy;
  proxy.archive("/.chunks/", 1.0);
  std::string dest = rig.tmp.sub("restored");
  auto r = via_proxy(rig, proxy, {"restore", rig.target(), dest}, {});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  std::size_t chunks = 0;
  for (const auto& [rel, o] : rig.remote()) chunks += rel.starts_with(".chunks/");
  CHECK(j["archived"]["asked"] == chunks);  // every chunk is needed by some snapshot here
  CHECK(j["archived"]["tier"] == "Standard");
  CHECK(j["snapshots"]["failed"] == 0);
  CHECK(j["snapshots"]["waiting"] == 0);
  CHECK(proxy.stats().restore_posts == int(chunks));
  check_restored_identical(rig.root, dest);
}

TEST_CASE("a dry run of a restore from archived chunks counts what it would ask for and asks for nothing", "[s3][archive]") {
  SyncRig rig(small_store());
  REQUIRE(rig.sync().exit_code == 0);
  FaultProxy proxy;
  proxy.archive("/.chunks/", 1.0, "DEEP_ARCHIVE");
  std::string rel = vm_snapshot(rig.root, 1);
  std::string dest = rig.tmp.sub("restored");
  auto argv = [&](std::string tier) {
    return std::vector<std::string>{s3sync_bin(), "restore", rig.target(), dest, "--snapshot", rel, "--config", rig.conf,
                                    "--lock-file", rig.lock, "--output", "json", "--dry-run", "--restore-tier", tier};
  };
  auto env = rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()});
  auto r = run_command(argv("bulk"), env);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["archived"]["storage-class"] == "DEEP_ARCHIVE");
  CHECK(j["archived"]["would-ask"] == chunks_of(fs::path(rig.root) / rel).size());
  CHECK(j["archived"]["expected"] == "within 48 hours");
  CHECK(proxy.stats().restore_posts == 0);
  CHECK_FALSE(fs::exists(dest));
  // DEEP_ARCHIVE has no Expedited tier: refused before anything is asked.
  auto expedited = run_command(argv("expedited"), env);
  CHECK(expedited.exit_code == 2);
  CHECK(expedited.out.find("offers no Expedited retrieval") != std::string::npos);
}

TEST_CASE("extract of a disk from archived chunks asks for its chunks, --request-only writes nothing, "
          "and the rerun writes the image",
          "[s3][archive]") {
  SyncRig rig(small_store());
  REQUIRE(rig.sync().exit_code == 0);
  std::string rel = vm_snapshot(rig.root, 0);
  // The image as extract writes it from readable chunks (extract's own tests check it against the source).
  std::string direct = rig.tmp.sub("direct.img");
  REQUIRE(rig.run({"extract", rig.target(), rel, "drive-scsi0.img", direct}).exit_code == 0);
  FaultProxy proxy;
  proxy.archive("/.chunks/", 1.0);
  std::string out = rig.tmp.sub("thawed.img");
  auto extract = [&](std::vector<std::string> extra) {
    return via_proxy(rig, proxy, {"extract", rig.target(), rel, "drive-scsi0.img", out}, extra);
  };
  // Without the options the read meets an archived chunk and says how to ask for it.
  auto plain = extract({});
  CHECK(plain.exit_code != 0);
  CHECK(plain.out.find("--restore-tier") != std::string::npos);

  auto asked = extract({"--request-only", "--restore-tier", "expedited"});
  INFO(asked.out << asked.err);
  REQUIRE(asked.exit_code == 0);
  auto j = parse_summary(asked);
  auto wanted = chunks_of(fs::path(rig.root) / rel);
  CHECK(j["archived"]["tier"] == "Expedited");
  CHECK(j["archived"]["asked"].get<std::size_t>() > 0);
  CHECK(j["archived"]["asked"].get<std::size_t>() <= wanted.size());  // the zero chunk is never fetched
  for (const auto& p : proxy.stats().restore_asked) CHECK(wanted.count(chunk_of_path(p)) == 1);
  CHECK_FALSE(fs::exists(out));  // (the failed run above kept its .part, for a rerun to continue)

  auto done = extract({"--restore-tier", "expedited"});
  INFO(done.out << done.err);
  REQUIRE(done.exit_code == 0);
  CHECK(parse_summary(done)["archived"]["asked"] == 0);  // asked by the first run
  CHECK(bytes_of(out) == bytes_of(direct));
}

TEST_CASE("verify --deep leaves archived chunks undownloaded and says so, and with --restore-tier asks, waits and checks them",
          "[s3][archive]") {
  SyncRig rig(small_store());
  REQUIRE(rig.sync().exit_code == 0);
  FaultProxy proxy;
  proxy.archive("/.chunks/", 1.0);
  auto verify = [&](std::vector<std::string> extra) {
    return via_proxy(rig, proxy, {"verify", rig.target(), "--deep"}, extra);
  };
  // A verify never starts billed retrievals unasked: the archived chunks are counted, not "damaged".
  auto quiet = verify({});
  INFO(quiet.out << quiet.err);
  CHECK(quiet.exit_code == 0);
  auto q = parse_summary(quiet);
  std::size_t referenced = q["chunks-referenced"];
  CHECK(referenced > 0);
  CHECK(q["chunks-archived"] == referenced);
  CHECK(q["chunks-downloaded"] == 0);
  CHECK(q["chunks-bad"] == 0);
  CHECK(proxy.stats().restore_posts == 0);

  auto thawed = verify({"--restore-tier", "bulk"});
  INFO(thawed.out << thawed.err);
  CHECK(thawed.exit_code == 0);
  auto t = parse_summary(thawed);
  CHECK(t["archived"]["asked"] == referenced);
  CHECK(t["chunks-archived"] == 0);
  CHECK(t["chunks-downloaded"] == referenced);
  CHECK(t["chunks-bad"] == 0);
  CHECK(proxy.stats().restore_posts == int(referenced));
}

TEST_CASE("RestoreObject refused (403) ends the restore with its report naming it, and nothing restored", "[s3][archive]") {
  SyncRig rig(small_store());
  REQUIRE(rig.sync().exit_code == 0);
  FaultProxy proxy;
  proxy.archive("/.chunks/", 1.0);
  proxy.rule("mode=status&status=403&code=AccessDenied&method=POST&count=100000");
  std::string dest = rig.tmp.sub("restored");
  auto r = via_proxy(rig, proxy, {"restore", rig.target(), dest, "--snapshot", vm_snapshot(rig.root, 0)},
                     {"--restore-tier", "standard"});
  INFO(r.out << r.err);
  CHECK(r.exit_code != 0);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["restored"] == 0);
  CHECK(j["archived"]["asked"] == 0);
  CHECK(r.out.find("RestoreObject") != std::string::npos);
  CHECK(proxy.stats().restore_asked.empty());
}
