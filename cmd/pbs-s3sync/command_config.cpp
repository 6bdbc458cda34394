#include <fmt/core.h>

#include <ctime>

#include <nlohmann/json.hpp>

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
  std::string parallelism = job->initial_parallelism ? fmt::format("from {} growing to at most {}",
                                                                   job->initial_parallelism, job->parallelism)
                                                     : std::to_string(job->parallelism);
  std::string text;
  text += fmt::format("config: {} ({} target(s))\n", job->conf.path, job->conf.storages.size());
  text += fmt::format("target: {}{}\n", t.url(), t.id.empty() ? "" : " (STORAGE " + t.id + ")");
  text += fmt::format("endpoint: {} region {}, {} addressing, TLS verify {}{}\n", t.endpoint.display(),
                      t.endpoint.region, t.endpoint.uses_path_style(t.bucket) ? "path-style" : "virtual-hosted",
                      t.endpoint.tls_verify ? "on" : "off",
                      t.endpoint.ca_file.empty() ? "" : ", CA " + t.endpoint.ca_file);
  text += fmt::format("credentials: access key {} from {}{}\n", shown, t.credentials_source,
                      t.credentials.session_token.empty() ? "" : " (with session token)");
  text += fmt::format("parallelism: {} ({}), bandwidth limit: {}{}, requests per second: {}\n", parallelism,
                      job->parallelism_source, job->bandwidth.describe(),
                      job->bandwidth.timetable() ? fmt::format(" (now {} B/s)", job->bandwidth.rate_at(std::time(nullptr)))
                                                 : "",
                      job->requests_per_second > 0 ? fmt::format("{:g}", job->requests_per_second) : "no cap");
  nlohmann::ordered_json j{{"command", "config check"},
                           {"config", job->conf.path},
                           {"targets", job->conf.storages.size()},
                           {"target", t.url()},
                           {"storage", t.id},
                           {"endpoint", t.endpoint.display()},
                           {"region", t.endpoint.region},
                           {"path-style", t.endpoint.uses_path_style(t.bucket)},
                           {"tls-verify", t.endpoint.tls_verify},
                           {"ca-file", t.endpoint.ca_file},
                           {"access-key", shown},
                           {"credentials-source", t.credentials_source},
                           {"session-token", !t.credentials.session_token.empty()},
                           {"parallelism", job->parallelism},
                           {"initial-parallelism", job->initial_parallelism},
                           {"parallelism-source", job->parallelism_source},
                           {"bandwidth-limit", job->bandwidth.describe()},
                           {"requests-per-second", job->requests_per_second}};
  auto engine = make_engine(*job);
  if (!engine) return report_error(global, engine.error());
  transfer::ObjectStore store(**engine, t.bucket);
  if (auto st = store.head_bucket(); !st) {
    Error e = st.error();
    return report_error(global, e.context("bucket check failed"));
  }
  s3::ListOptions o;
  o.prefix = t.key("");
  o.max_keys = 1;
  auto list = (*engine)->execute(s3::list_objects(t.bucket, o));
  if (!list) {
    Error e = list.error();
    return report_error(global, e.context("listing failed"));
  }
  auto in_use = (*engine)->execute(s3::get_object(t.bucket, t.key(".in-use")));
  bool pbs_marker = in_use && in_use->status == 200;
  text += fmt::format("bucket: reachable, listing allowed{}\n",
                      pbs_marker ? "; WARNING: the prefix holds PBS's .in-use marker" : "");
  j["bucket"] = {{"reachable", true}, {"listing-allowed", true}, {"pbs-in-use-marker", pbs_marker}};
  j["exit-code"] = kExitOk;
  print_report(global, j, text, kExitOk);
  return kExitOk;
}

}  // namespace pbs::cli
