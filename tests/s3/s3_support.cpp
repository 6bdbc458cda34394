#include "s3_support.h"

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "test_support.h"

extern char** environ;

namespace pbs::test {

const S3Env& s3_env() {
  static S3Env env = [] {
    const char* p = std::getenv("PBS_TEST_S3_ENV");
    std::string path = p ? p : "/tmp/pbs-s3sync-rgw/env";
    std::ifstream in(path);
    if (!in) FAIL("no S3 test server: " + path + " missing (tests/s3/rgw.sh start writes it)");
    std::map<std::string, std::string> kv;
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return S3Env{kv["S3_ENDPOINT"],     kv["S3_ACCESS_KEY"], kv["S3_SECRET_KEY"], kv["S3_REGION"],
                 kv["S3_TLS_ENDPOINT"], kv["S3_CA_FILE"],    kv["S3_KMS_KEY_ID"]};
  }();
  return env;
}

transfer::EngineConfig engine_config(unsigned parallelism, const std::string& endpoint) {
  const auto& env = s3_env();
  transfer::EngineConfig c;
  auto ep = s3::Endpoint::parse(endpoint.empty() ? env.endpoint : endpoint, env.region);
  if (!ep) FAIL(ep.error().message());
  c.endpoint = *ep;
  if (c.endpoint.scheme == "https") c.endpoint.ca_file = env.ca_file;
  c.credentials = {env.access_key, env.secret_key, ""};
  c.parallelism = parallelism;
  c.backoff_base_seconds = 0.05;
  c.backoff_cap_seconds = 1.0;
  // Exact request counts do not hold once a loaded machine makes an answer late enough to hedge:
  // the hedging tests turn it on.
  c.hedge = false;
  return c;
}

std::unique_ptr<transfer::Engine> make_engine(const transfer::EngineConfig& config) {
  auto e = transfer::Engine::create(config);
  if (!e) FAIL(e.error().message());
  return std::move(*e);
}

s3::Bytes random_body(std::size_t n, unsigned seed) {
  auto v = std::make_shared<std::vector<std::uint8_t>>(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : *v) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    b = std::uint8_t(x);
  }
  return v;
}

std::unique_ptr<transfer::Engine> make_engine(unsigned parallelism) {
  return make_engine(engine_config(parallelism));
}

std::string unique_bucket(const std::string& tag) {
  static std::atomic<int> n{0};
  // PIDs come round again (pid_max is 32768 here) and radosgw answers a second CreateBucket of
  // the same owner with success: without the random part, a test may find an older run's objects.
  static const std::string salt = [] {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", unsigned(std::random_device{}()));
    return std::string(hex);
  }();
  return "pbs-t-" + tag + "-" + std::to_string(::getpid()) + "-" + salt + "-" + std::to_string(n++);
}

void create_bucket(transfer::Engine& engine, const std::string& bucket, bool object_lock) {
  transfer::ObjectStore store(engine, bucket);
  auto st = store.create_bucket(object_lock);
  if (!st) FAIL(st.error().message());
}

ScriptServer::ScriptServer(const std::string& script, std::vector<std::string> args) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::string path = std::string(PBS_TESTS_DIR) + "/s3/" + script;
  args.insert(args.begin(), {"python3", path});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  REQUIRE(posix_spawnp(&pid_, "python3", &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  std::string line;
  char c;
  while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(fds[0]);
  REQUIRE(line.rfind("PORT ", 0) == 0);
  port_ = std::stoi(line.substr(5));
}

ScriptServer::~ScriptServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

FaultProxy::FaultProxy()
    : server_("fault_proxy.py", {s3_env().endpoint.substr(s3_env().endpoint.find("://") + 3)}) {}

namespace {
std::size_t collect_body(char* p, std::size_t s, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}
}  // namespace

std::string FaultProxy::control(const std::string& path) {
  CURL* c = curl_easy_init();
  std::string out;
  std::string url = endpoint() + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) FAIL("fault proxy control failed: " + std::string(curl_easy_strerror(rc)));
  return out;
}

void FaultProxy::rule(const std::string& query) { control("/__fault__/rule?" + query); }
void FaultProxy::clear() { control("/__fault__/clear"); }
void FaultProxy::archive(const std::string& match, double thaw_seconds, const std::string& storage_class) {
  control("/__fault__/archive?match=" + match + "&thaw_seconds=" + std::to_string(thaw_seconds) + "&class=" + storage_class);
}
void FaultProxy::refuse(double seconds) { control("/__fault__/refuse?seconds=" + std::to_string(seconds)); }

FaultProxy::Stats FaultProxy::stats() {
  auto j = nlohmann::json::parse(control("/__fault__/stats"));
  Stats s;
  s.requests = j["requests"];
  s.proxied = j["proxied"];
  s.faults = j["faults"];
  s.in_flight_peak = j.value("in_flight_peak", 0);
  s.bytes_up = j.value("bytes_up", std::uint64_t(0));
  s.bytes_down = j.value("bytes_down", std::uint64_t(0));
  s.restore_asked = j.value("restore_asked", std::vector<std::string>{});
  s.restore_posts = j.value("restore_posts", 0);
  s.restore_tiers = j.value("restore_tiers", std::vector<std::string>{});
  for (const auto& e : j["log"]) {
    s.times.push_back(e["t"]);
    s.methods.push_back(e["method"]);
    if (e.value("up", 0) > 0 && e.contains("end")) {
      double t = e["t"], end = e["end"];
      s.first_start = s.first_start ? std::min(s.first_start, t) : t;
      s.last_end = std::max(s.last_end, end);
    }
  }
  return s;
}

SmallDisk::SmallDisk(std::string dir, std::uint64_t bytes) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  auto r = run_command({"/bin/mount", "-t", "tmpfs", "-o", "size=" + std::to_string(bytes), "pbs-test-disk", dir_});
  INFO("this test mounts a small tmpfs and needs root: " << r.err);
  REQUIRE(r.exit_code == 0);
}

SmallDisk::~SmallDisk() { run_command({"/bin/umount", "-l", dir_}); }

void SmallDisk::grow(std::uint64_t bytes) {
  auto r = run_command({"/bin/mount", "-o", "remount,size=" + std::to_string(bytes), dir_});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace pbs::test
