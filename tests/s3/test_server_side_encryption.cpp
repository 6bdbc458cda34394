// Server-side encryption against radosgw: SSE-KMS (its "testing" KMS backend, keys set by
// tests/s3/rgw.sh) and SSE-C (a customer key, through the TLS listener radosgw requires for it).
// Each: what goes up is stored encrypted (HEAD shows it), a second night sends nothing, restore
// is byte-identical, and with SSE-C a missing or wrong key is a clear exit 2 with nothing written.
#include <sys/stat.h>

#include <filesystem>

#include "sync_rig.h"

using namespace pbs;
using namespace pbs::test;

namespace {

std::string header(const s3::Response& r, const std::string& name) {
  auto h = r.header(name);
  return h ? std::string(*h) : "";
}

// A STORAGE entry `sse` for the rig's bucket with `extra` keys, reached through the TLS listener.
void write_storage(SyncRig& rig, const std::string& extra) {
  const auto& env = s3_env();
  std::ofstream(rig.conf) << "STORAGE=s3://" << rig.bucket << "@sse:ENDPOINT=" << env.tls_endpoint << ",CA_FILE=" << env.ca_file
                          << ",PREFIX=" << rig.prefix << "," << extra << "\n";
  ::chmod(rig.conf.c_str(), 0600);
}

// The rig's environment names the plain HTTP listener, which would win over ENDPOINT.
CommandResult run_tls(SyncRig& rig, std::vector<std::string> args) {
  args.insert(args.begin(), s3sync_bin());
  args.insert(args.end(), {"--config", rig.conf});
  return run_command(args, rig.env({"AWS_ENDPOINT_URL=" + s3_env().tls_endpoint}));
}

CommandResult sync_storage(SyncRig& rig) {
  return run_tls(rig, {"sync", rig.root, "sse", "--lock-file", rig.lock, "--output", "json"});
}

// A second night sends nothing (the objects' ETags are not taken for changes), and a restore
// gives the datastore back byte for byte.
void check_quiet_night_and_restore(SyncRig& rig) {
  auto second = parse_summary(sync_storage(rig));
  CHECK(second["exit-code"] == 0);
  CHECK(second["chunks"]["uploaded"] == 0);
  CHECK(second["snapshots"]["uploaded"] == 0);
  std::string dest = rig.tmp.sub("restored");
  auto restore = run_tls(rig, {"restore", "sse", dest, "--output", "json"});
  INFO(restore.out << restore.err);
  REQUIRE(restore.exit_code == 0);
  check_restored_identical(rig.root, dest);
}

std::string any_chunk(SyncRig& rig) {
  for (const auto& [k, o] : rig.remote()) {
    if (k.starts_with(".chunks/")) return k;
  }
  FAIL("no chunk stored");
  return "";
}

}  // namespace

TEST_CASE("SSE-KMS: every object stored under the KMS key, the second night sends nothing, restore is identical",
          "[s3][sse]") {
  SyncRig rig;
  const auto& env = s3_env();
  write_storage(rig, "SSE=aws:kms,SSE_KMS_KEY_ID=" + env.kms_key_id);  // radosgw, as AWS, wants TLS for it
  auto first = sync_storage(rig);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto tls = make_engine(engine_config(2, env.tls_endpoint));  // KMS objects are read over TLS only
  for (const std::string& rel : {any_chunk(rig), std::string(".pbs-s3sync/source")}) {
    INFO(rel);
    auto head = tls->execute(s3::head_object(rig.bucket, rig.prefix + "/" + rel));
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(header(*head, "x-amz-server-side-encryption") == "aws:kms");
    CHECK(header(*head, "x-amz-server-side-encryption-aws-kms-key-id") == env.kms_key_id);
  }
  check_quiet_night_and_restore(rig);
}

TEST_CASE("SSE-C: stored with the customer key over TLS, unreadable without it, and a wrong key exits 2 writing nothing",
          "[s3][sse][tls]") {
  SyncRig rig;
  const auto& env = s3_env();
  std::string key = rig.tmp.sub("customer.key");
  std::ofstream(key) << "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n";  // 32 bytes
  ::chmod(key.c_str(), 0600);
  write_storage(rig, "SSE_CUSTOMER_KEY_FILE=" + key);
  auto first = sync_storage(rig);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  // SSE-C over plain http: radosgw refuses it, and the message says what to change.
  auto plain_config = engine_config(2);
  plain_config.sse_customer_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  plain_config.sse_customer_key_md5 = "x";
  auto plain = make_engine(plain_config)->execute(s3::put_object(rig.bucket, "over-http", random_body(100, 1)));
  REQUIRE_FALSE(plain);
  CHECK(plain.error().code() == Errc::config);
  CHECK_THAT(plain.error().message(), Catch::Contains("needs an https ENDPOINT"));
  // Without the key the object cannot even be looked at.
  auto tls = make_engine(engine_config(2, env.tls_endpoint));
  auto blind = tls->execute(s3::head_object(rig.bucket, rig.prefix + "/" + any_chunk(rig)));
  REQUIRE_FALSE(blind);
  CHECK(blind.error().code() == Errc::config);
  CHECK_THAT(blind.error().message(), Catch::Contains("SSE_CUSTOMER_KEY_FILE"));

  check_quiet_night_and_restore(rig);
  auto verify = run_tls(rig, {"verify", "sse", "--deep"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);

  // Another key: a clear refusal, exit 2, no datastore made, and the key never shown.
  std::ofstream(key) << "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=\n";
  std::string wrong = rig.tmp.sub("wrong");
  auto refused = run_tls(rig, {"restore", "sse", wrong, "--output", "json"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err + refused.out, Catch::Contains("another customer key"));
  CHECK_THAT(refused.err + refused.out, !Catch::Contains("give that key"));  // a key was given: not the no-key advice
  CHECK_THAT(refused.err + refused.out, !Catch::Contains("ZmVkY2JhOTg3"));
  CHECK_FALSE(std::filesystem::exists(wrong + "/.chunks"));
  // And a sync with it re-uploads nothing silently: it stops at the first object it must read.
  auto resync = sync_storage(rig);
  CHECK(resync.exit_code == 2);
  // A key file that is not 32 bytes of base64 is refused before anything is sent.
  std::ofstream(key) << "not a key\n";
  auto bad = sync_storage(rig);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err + bad.out, Catch::Contains("does not hold a 32-byte key"));
}
