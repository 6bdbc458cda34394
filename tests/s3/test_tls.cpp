// What the engine says when TLS fails, one cause each: a certificate no CA vouches for, one
// issued for another name than ENDPOINT's host, a CA_FILE that holds no certificate.
#include <chrono>

#include "s3_support.h"
#include "test_support.h"
#include "util/file_io.h"

using namespace pbs;
using namespace pbs::test;

namespace {

struct TlsRig {
  TempDir tmp;
  std::string cert = tmp.sub("cert.pem");
  std::string key = tmp.sub("key.pem");
  std::unique_ptr<ScriptServer> server;
  TlsRig() {
    // Trusted once CA_FILE names it, but issued for another name than 127.0.0.1.
    auto r = run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                          "-out", cert, "-days", "2", "-subj", "/CN=s3.example.invalid", "-addext",
                          "subjectAltName=DNS:s3.example.invalid"});
    REQUIRE(r.exit_code == 0);
    server = std::make_unique<ScriptServer>("tls_server.py", std::vector<std::string>{cert, key});
  }
  Error fails_with(const std::string& ca_file) {
    auto c = engine_config(1, "https://127.0.0.1:" + std::to_string(server->port()));
    c.endpoint.ca_file = ca_file;
    auto engine = make_engine(c);
    auto r = engine->execute(s3::head_bucket("b"));
    REQUIRE_FALSE(r);
    CHECK(engine->counters().total_requests() == 1);  // no retry: it would fail the same way
    return r.error();
  }
};

}  // namespace

TEST_CASE("TLS: untrusted, wrong name and unusable CA_FILE each get their own advice", "[tls]") {
  TlsRig rig;
  auto untrusted = rig.fails_with("");
  CHECK(untrusted.code() == Errc::tls);
  CHECK_THAT(untrusted.message(), Catch::Contains("not trusted: set CA_FILE"));

  auto wrong_name = rig.fails_with(rig.cert);
  CHECK(wrong_name.code() == Errc::tls);
  CHECK_THAT(wrong_name.message(), Catch::Contains("issued for another name"));
  CHECK_THAT(wrong_name.message(), !Catch::Contains("set CA_FILE"));

  std::string not_pem = rig.tmp.sub("not-a-ca.pem");
  must(write_file_atomic(not_pem, std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'}));
  auto bad_file = rig.fails_with(not_pem);
  CHECK(bad_file.code() == Errc::tls);
  CHECK_THAT(bad_file.message(), Catch::Contains("CA_FILE"));
  CHECK_THAT(bad_file.message(), Catch::Contains("holds no certificate"));
}

TEST_CASE("a scheme that does not fit the port fails within seconds and says which, both ways", "[tls]") {
  TlsRig rig;
  std::string plain = s3_env().endpoint;  // radosgw: http://127.0.0.1:PORT
  REQUIRE(plain.starts_with("http://"));
  struct Case {
    std::string endpoint, hint;
  };
  for (const Case& c : {Case{"https://" + plain.substr(7), "does not speak TLS on this port"},
                        Case{"http://127.0.0.1:" + std::to_string(rig.server->port()), "most likely a TLS port"}}) {
    INFO(c.endpoint);
    auto config = engine_config(4, c.endpoint);
    config.health.max_outage_seconds = 600;  // an outage would be ridden out for ten minutes
    auto engine = make_engine(config);
    auto t0 = std::chrono::steady_clock::now();
    auto r = engine->execute(s3::head_bucket("b"));
    double secs = seconds_since(t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::config);
    CHECK_THAT(r.error().message(), Catch::Contains(c.hint));
    CHECK(engine->counters().total_requests() == 3);
    CHECK(secs < 5);
  }
}

TEST_CASE("over radosgw's TLS listener bodies go as UNSIGNED-PAYLOAD and come back whole, over http they are signed",
          "[tls][s3]") {
  const auto& env = s3_env();
  REQUIRE_FALSE(env.tls_endpoint.empty());
  auto tls = make_engine(engine_config(4, env.tls_endpoint));
  std::string bucket = unique_bucket("unsigned");
  create_bucket(*tls, bucket);
  auto before = tls->counters().unsigned_payloads;  // CreateBucket's empty body
  TempDir tmp;
  std::string file = tmp.sub("body");
  auto bytes = random_body(3 << 20, 7);
  must(write_file_atomic(file, *bytes, {}));
  // A memory body, a file body, and one with Content-MD5 (as Object Lock PUTs carry).
  REQUIRE(tls->execute(s3::put_object(bucket, "memory", random_body(200000, 1))));
  auto from_file = s3::put_object(bucket, "file", nullptr);
  from_file.body.reset();
  from_file.body_file = s3::FileRange{file, 0, bytes->size()};
  REQUIRE(tls->execute(std::move(from_file)));
  s3::PutOptions md5;
  md5.content_md5 = true;
  REQUIRE(tls->execute(s3::put_object(bucket, "md5", random_body(5000, 2), md5)));
  CHECK(tls->counters().unsigned_payloads - before == 3);
  auto back = tls->execute(s3::get_object(bucket, "file"));
  REQUIRE(back);
  CHECK(back->body == *bytes);
  auto small = tls->execute(s3::get_object(bucket, "memory"));
  REQUIRE(small);
  CHECK(small->body == *random_body(200000, 1));

  // The same gateway over http: signed, whatever the setting says.
  auto plain = make_engine(engine_config(4));
  REQUIRE(plain->execute(s3::put_object(bucket, "plain", random_body(1000, 3))));
  CHECK(plain->counters().unsigned_payloads == 0);
  // And over https when it is turned off (UNSIGNED_PAYLOAD=false).
  auto c = engine_config(4, env.tls_endpoint);
  c.unsigned_payload = false;
  auto signed_tls = make_engine(c);
  REQUIRE(signed_tls->execute(s3::put_object(bucket, "signed", random_body(1000, 4))));
  CHECK(signed_tls->counters().unsigned_payloads == 0);
}
