#include <fmt/core.h>

#include <ctime>

#include "commands.h"
#include "exit_code.h"
#include "job_setup.h"
#include "output.h"
#include "s3/request.h"
#include "source.h"
#include "transfer/object_store.h"

namespace pbs::cli {

int command_config_check(const ConfigCheckArgs& args, const GlobalOptions& global) {
  auto job = setup_job(global, args.datastore, args.target, false);
  if (!job) return report_error(global, job.error());
  print_warnings(job->conf, global);
  const auto& t = job->target;
  std::string key = t.credentials.access_key;
  std::string shown = key.size() > 4 ? key.substr(0, 4) + std::string(key.size() - 4, '*') : "****";
  fmt::print("config: {} ({} target(s))\n", job->conf.path, job->conf.storages.size());
  fmt::print("target: {}{}\n", t.url(), t.id.empty() ? "" : " (STORAGE " + t.id + ")");
  fmt::print("endpoint: {} region {}, {} addressing, TLS verify {}{}\n", t.endpoint.display(),
             t.endpoint.region, t.endpoint.uses_path_style(t.bucket) ? "path-style" : "virtual-hosted",
             t.endpoint.tls_verify ? "on" : "off",
             t.endpoint.ca_file.empty() ? "" : ", CA " + t.endpoint.ca_file);
  fmt::print("credentials: access key {} from {}{}\n", shown, t.credentials_source,
             t.credentials.session_token.empty() ? "" : " (with session token)");
  fmt::print("parallelism: {} ({}), bandwidth limit: {}{}, requests per second: {}\n",
             job->initial_parallelism ? fmt::format("from {} growing to at most {}", job->initial_parallelism,
                                                    job->parallelism)
                                      : std::to_string(job->parallelism),
             job->parallelism_source, job->bandwidth.describe(),
             job->bandwidth.timetable() ? fmt::format(" (now {} B/s)", job->bandwidth.rate_at(std::time(nullptr))) : "",
             job->requests_per_second > 0 ? fmt::format("{:g}", job->requests_per_second) : "no cap");
  auto engine = make_engine(*job);
  if (!engine) return report_error(global, engine.error());
  transfer::ObjectStore store(**engine, t.bucket);
  if (auto st = store.head_bucket(); !st) {
    fmt::print(stderr, "pbs-s3sync: bucket check failed: {}\n", st.error().message());
    return exit_code_for(st.error());
  }
  s3::ListOptions o;
  o.prefix = t.key("");
  o.max_keys = 1;
  auto list = (*engine)->execute(s3::list_objects(t.bucket, o));
  if (!list) {
    fmt::print(stderr, "pbs-s3sync: listing failed: {}\n", list.error().message());
    return exit_code_for(list.error());
  }
  auto in_use = (*engine)->execute(s3::get_object(t.bucket, t.key(".in-use")));
  fmt::print("bucket: reachable, listing allowed{}\n",
             in_use && in_use->status == 200 ? "; WARNING: the prefix holds PBS's .in-use marker" : "");
  return kExitOk;
}

}  // namespace pbs::cli
