// pbs-s3bench: the transfer engine on its own, for benchmarks against rclone and awscli.
//   pbs-s3bench put DIR s3://BUCKET/PREFIX -j N     upload every file of DIR (key PREFIX/name)
//   pbs-s3bench get DIR s3://BUCKET/PREFIX -j N     download every object under PREFIX into DIR
//   pbs-s3bench mb s3://BUCKET | mb-locked s3://BUCKET (Object Lock) | rm s3://BUCKET/PREFIX
// Endpoint and keys from S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION. Prints the
// engine's counters as JSON on stdout.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "transfer/engine.h"
#include "transfer/object_store.h"

using namespace pbs;

namespace {
int fail(const std::string& m) {
  std::cerr << "pbs-s3bench: " << m << "\n";
  return 1;
}
std::string env(const char* k) {
  const char* v = std::getenv(k);
  return v ? v : "";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: put|get DIR s3://BUCKET/PREFIX [-j N] | mb|rm s3://BUCKET[/PREFIX]");
  std::string cmd = argv[1];
  std::string dir = (cmd == "put" || cmd == "get") ? argv[2] : "";
  std::string target = (cmd == "put" || cmd == "get") ? (argc > 3 ? argv[3] : "") : argv[2];
  unsigned jobs = 8;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "-j") jobs = unsigned(std::atoi(argv[i + 1]));
  }
  if (target.rfind("s3://", 0) != 0) return fail("target must be s3://bucket/prefix");
  std::string rest = target.substr(5);
  std::string bucket = rest.substr(0, rest.find('/'));
  std::string prefix = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);

  transfer::EngineConfig config;
  auto ep = s3::Endpoint::parse(env("S3_ENDPOINT"), env("S3_REGION"));
  if (!ep) return fail(ep.error().message());
  config.endpoint = *ep;
  config.endpoint.ca_file = env("S3_CA_FILE");  // the TLS listener's certificate (rgw.sh)
  // PBS_S3BENCH_SIGNED=1: sign bodies over https too, to measure what UNSIGNED-PAYLOAD saves.
  config.unsigned_payload = env("PBS_S3BENCH_SIGNED") != "1";
  config.credentials = {env("S3_ACCESS_KEY"), env("S3_SECRET_KEY"), ""};
  config.parallelism = jobs;
  auto engine = transfer::Engine::create(config);
  if (!engine) return fail(engine.error().message());
  transfer::ObjectStore store(**engine, bucket);
  int failures = 0;
  auto check = [&](Result<s3::Response> r) {
    if (!r) {
      ++failures;
      std::cerr << r.error().message() << "\n";
    }
  };

  if (cmd == "mb" || cmd == "mb-locked") {
    if (auto st = store.create_bucket(cmd == "mb-locked"); !st) return fail(st.error().message());
  } else if (cmd == "rm") {
    s3::ListOptions o;
    o.prefix = prefix;
    auto all = store.list_all(o);
    if (!all) return fail(all.error().message());
    std::vector<std::string> keys;
    for (auto& obj : *all) keys.push_back(obj.key);
    auto del = store.delete_all(keys);
    if (!del) return fail(del.error().message());
  } else if (cmd == "put") {
    DIR* d = opendir(dir.c_str());
    if (!d) return fail("cannot open " + dir);
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string path = dir + "/" + name;
      struct stat st {};
      if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      std::string key = prefix.empty() ? name : prefix + "/" + name;
      (*engine)->submit(s3::put_object_file(bucket, key, {path, 0, std::uint64_t(st.st_size)}), check);
    }
    closedir(d);
    (*engine)->run();
  } else if (cmd == "get") {
    s3::ListOptions o;
    o.prefix = prefix.empty() ? "" : prefix + "/";
    std::optional<Status> listed;
    store.list(o,
               [&](s3::ListPage&& page) {
                 for (auto& obj : page.objects) {
                   std::string name = obj.key.substr(o.prefix.size());
                   if (name.find('/') != std::string::npos) continue;
                   (*engine)->submit(s3::get_object(bucket, obj.key),
                                     transfer::Sink::to_file(dir + "/" + name), check);
                 }
                 return true;
               },
               [&](Status st) { listed = st; });
    (*engine)->run();
    if (!*listed) return fail(listed->error().message());
  } else {
    return fail("unknown command " + cmd);
  }
  const auto& c = (*engine)->counters();
  nlohmann::json j;
  j["requests"] = c.requests;
  j["retries"] = c.retries;
  j["bytes_up"] = c.bytes_up;
  j["bytes_down"] = c.bytes_down;
  j["failures"] = failures;
  std::cout << j.dump() << "\n";
  return failures ? 1 : 0;
}
