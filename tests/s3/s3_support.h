#pragma once
// Helpers for tests against the real S3 server (radosgw, started by tests/s3/rgw.sh through the
// ctest fixture) and the fault-injecting proxy.

#include <memory>
#include <string>
#include <vector>

#include "transfer/engine.h"
#include "transfer/object_store.h"

namespace pbs::test {

struct S3Env {
  std::string endpoint;  // http://127.0.0.1:7480
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string tls_endpoint;  // https://127.0.0.1:7443, the same gateway with TLS
  std::string ca_file;       // its self-signed certificate
  std::string kms_key_id;    // a key of its SSE-KMS testing backend
};
// From $PBS_TEST_S3_ENV (default /tmp/pbs-s3sync-rgw/env), written by rgw.sh start.
const S3Env& s3_env();

transfer::EngineConfig engine_config(unsigned parallelism = 4, const std::string& endpoint = "");
std::unique_ptr<transfer::Engine> make_engine(const transfer::EngineConfig& config);
std::unique_ptr<transfer::Engine> make_engine(unsigned parallelism = 4);

// A fresh bucket name for one test: "pbs-t-<tag>-<pid>-<random>-<n>".
std::string unique_bucket(const std::string& tag);
// `n` bytes that do not compress, the same for the same seed.
s3::Bytes random_body(std::size_t n, unsigned seed);
// Creates the bucket; fails the test on error.
void create_bucket(transfer::Engine& engine, const std::string& bucket, bool object_lock = false);

// A Python helper server of tests/s3/ as a child process ("PORT n" on its stdout once listening),
// killed when this goes away.
class ScriptServer {
 public:
  ScriptServer(const std::string& script, std::vector<std::string> args);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;
  int port() const { return port_; }

 private:
  int pid_ = -1;
  int port_ = 0;
};

// A tmpfs of a given size mounted on DIR (the test runs as root, as CI does): a disk that fills up.
class SmallDisk {
 public:
  SmallDisk(std::string dir, std::uint64_t bytes);
  ~SmallDisk();
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  void grow(std::uint64_t bytes);

 private:
  std::string dir_;
};

// The fault proxy (fault_proxy.py) in front of radosgw.
class FaultProxy {
 public:
  FaultProxy();
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  // mode=status&status=503&code=SlowDown&retry_after=1&count=2&method=PUT ...
  void rule(const std::string& query);
  // Nothing listens for `seconds` (connections refused); requests on open connections are reset.
  void refuse(double seconds);
  // Objects whose path holds `match` behave as in an archive tier (archive_mode.py); "" turns it off.
  void archive(const std::string& match, double thaw_seconds, const std::string& storage_class = "GLACIER");
  void clear();
  struct Stats {
    int requests = 0;
    int proxied = 0;  // sent in absolute form, as to a forward proxy
    int faults = 0;
    std::vector<double> times;  // of each forwarded-or-faulted request
    std::vector<std::string> methods;
    int in_flight_peak = 0;    // requests between arrival and the answer's last byte, at most
    std::uint64_t bytes_up = 0, bytes_down = 0;  // request and response bodies
    double first_start = 0, last_end = 0;        // of the requests that carried a body up
    std::vector<std::string> restore_asked;      // archive mode: paths RestoreObject was accepted for (202)
    int restore_posts = 0;                       // every RestoreObject
    std::vector<std::string> restore_tiers;
  };
  Stats stats();

 private:
  std::string control(const std::string& path);
  ScriptServer server_;
};

}  // namespace pbs::test
