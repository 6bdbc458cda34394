#include "job_setup.h"

#include "host_budget_setup.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "config/datastore_cfg.h"
#include "host/run_lock.h"
#include "interrupt.h"
#include "records/record_keys.h"
#include "remote/prefix_discovery.h"
#include "util/duration.h"
#include "util/file_io.h"
#include "util/time_point.h"

namespace pbs::cli {

Result<config::PbsConf> load_config(const GlobalOptions& global) {
  return config::load_pbs_conf(global.config_file, global.config_given);
}

std::optional<encryption::KeySource> key_source(const std::string& passphrase_file, const std::string& keyfile,
                                          const config::StorageOptions& options) {
  encryption::KeySource k{passphrase_file.empty() ? options.passphrase_file : passphrase_file,
                    keyfile.empty() ? options.keyfile : keyfile};
  if (!k.given()) return std::nullopt;
  return k;
}

Result<std::shared_ptr<const crypto::CryptKey>> open_target_key(transfer::RequestInterface& requests,
                                                                 const remote::Remote& remote,
                                                                 const encryption::KeySource& source,
                                                                 const GlobalOptions& global, bool pbs_key_file) {
  PBS_ASSIGN(encryption::PrefixKey key,
             encryption::open_prefix_key(requests, remote, source, false, std::time(nullptr), pbs_key_file));
  if (global.verbosity >= 0) {
    for (const auto& w : key.warnings) fmt::print(stderr, "warning: {}\n", w);
  }
  return key.key;
}

Result<remote::Remote> remote_for(const config::Target& target, const std::optional<std::string>& point_in_time) {
  remote::Remote remote{target.bucket, target.prefix};
  if (point_in_time) {
    PBS_ASSIGN(remote.as_of, parse_time_point(*point_in_time, std::time(nullptr)));
  }
  return remote;
}

void print_warnings(const config::PbsConf& conf, const GlobalOptions& global) {
  if (global.verbosity < 0) return;
  for (const auto& w : conf.warnings) fmt::print(stderr, "pbs-s3sync: warning: {}\n", w);
}

std::string datastore_cfg_path() {
  const char* env = std::getenv("PBS_S3SYNC_DATASTORE_CFG");
  return env && *env ? env : "/etc/proxmox-backup/datastore.cfg";
}

Result<std::pair<std::string, std::string>> resolve_datastore(const std::string& arg) {
  std::string cfg_path = datastore_cfg_path();
  if (!arg.empty()) {
    PBS_ASSIGN(auto st, stat_path(arg));
    if (arg.find('/') != std::string::npos || (st && st->is_dir)) {
      // "ds/.", "./ds/" and "/srv/ds" are one datastore: one name for its prefix, one source.
      std::error_code ec;
      auto absolute = std::filesystem::absolute(arg, ec);
      if (ec) return Error(Errc::io, arg + ": cannot make the path absolute: " + ec.message());
      std::string path = absolute.lexically_normal().string();
      while (path.size() > 1 && path.back() == '/') path.pop_back();
      return std::pair{path, path.substr(path.rfind('/') + 1)};
    }
  }
  auto cfg = config::load_datastore_cfg(cfg_path);
  if (!cfg) {
    if (arg.empty()) return Error(Errc::invalid_argument, "no DATASTORE given and " + cfg_path + " is not readable: give the datastore's path");
    return Error(Errc::invalid_argument, "'" + arg + "' is neither a directory nor a datastore in " + cfg_path);
  }
  if (arg.empty()) {
    if (cfg->size() != 1) {
      return Error(Errc::invalid_argument, "no DATASTORE given and " + cfg_path + " has " +
                                               std::to_string(cfg->size()) + " datastores: name one");
    }
    return std::pair{cfg->begin()->second.path, cfg->begin()->first};
  }
  auto it = cfg->find(arg);
  if (it == cfg->end()) return Error(Errc::invalid_argument, "no datastore '" + arg + "' in " + cfg_path);
  if (it->second.path.empty()) return Error(Errc::config, cfg_path + ": datastore '" + arg + "' has no path");
  return std::pair{it->second.path, it->first};
}

Result<Job> setup_job(const GlobalOptions& global, const std::string& datastore_arg,
                      const std::string& target_arg, bool need_datastore, bool need_credentials) {
  Job job;
  PBS_ASSIGN(job.conf, load_config(global));
  if (need_datastore || !datastore_arg.empty()) {
    PBS_ASSIGN(auto ds, resolve_datastore(datastore_arg));
    job.datastore_path = ds.first;
    job.datastore_name = ds.second;
  }
  PBS_ASSIGN(job.target, config::resolve_target(target_arg, job.conf, config::Environment::process(),
                                                job.datastore_name, need_credentials));
  PBS_TRY(finish_job(job, global));
  return job;
}

Status finish_job(Job& job, const GlobalOptions& global) {
  PBS_TRY(apply_limits(job, global));
  PBS_ASSIGN(job.stall_seconds, stall_seconds_from_env());
  if (!job.target.options.sse_customer_key_file.empty()) {
    std::vector<std::string> warnings;
    PBS_ASSIGN(job.customer_key, config::load_customer_key(job.target.options.sse_customer_key_file, warnings));
    if (global.verbosity >= 0) {
      for (const auto& w : warnings) fmt::print(stderr, "pbs-s3sync: warning: {}\n", w);
    }
  }
  job.lock_path = !global.lock_file.empty()
                      ? global.lock_file
                      : host::default_lock_path(job.datastore_path.empty() ? job.datastore_name : job.datastore_path,
                                                job.target.url());
  return {};
}

Status apply_limits(Job& job, const GlobalOptions& global) {
  if (global.parallelism && job.conf.max_workers) {
    job.parallelism = std::min(*global.parallelism, *job.conf.max_workers);
    job.parallelism_source = *global.parallelism <= *job.conf.max_workers ? "--parallelism" : "MAX_WORKERS";
    job.initial_parallelism = 0;
  } else if (global.parallelism) {
    job.parallelism = *global.parallelism;
    job.parallelism_source = "--parallelism";
    job.initial_parallelism = 0;
  } else if (job.conf.max_workers) {
    job.parallelism = *job.conf.max_workers;
    job.parallelism_source = "MAX_WORKERS";
    if (job.initial_parallelism >= job.parallelism) job.initial_parallelism = 0;
  }
  if (global.max_outage) {
    PBS_ASSIGN(job.max_outage, parse_outage_budget(*global.max_outage));
  } else if (job.conf.max_outage) {
    job.max_outage = *job.conf.max_outage;
  }
  if (global.bandwidth_limit) {
    PBS_ASSIGN(job.bandwidth, BandwidthSchedule::parse(*global.bandwidth_limit));
  } else if (job.conf.bandwidth_schedule) {
    job.bandwidth = *job.conf.bandwidth_schedule;
  } else if (job.conf.bandwidth_limit_mbs) {
    job.bandwidth = BandwidthSchedule::constant(std::uint64_t(*job.conf.bandwidth_limit_mbs * 1e6));
  }
  if (global.tps_limit) {
    job.requests_per_second = *global.tps_limit;
  } else if (job.conf.max_requests_per_second) {
    job.requests_per_second = *job.conf.max_requests_per_second;
  }
  return {};
}

Result<std::optional<long>> stall_seconds_from_env() {
  const char* v = std::getenv("PBS_S3SYNC_STALL_SECONDS");
  if (!v || !*v) return std::optional<long>{};
  std::string_view text(v);
  long seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  // from_chars stops at the first character that is not part of the number: "10s" and "1.5" stop
  // early and are refused with the rest, rather than read as 10 and 1.
  if (ec != std::errc{} || end != text.data() + text.size() || seconds <= 0) {
    return Error(Errc::invalid_argument, "PBS_S3SYNC_STALL_SECONDS='" + std::string(text) +
                                             "' is not a positive whole number of seconds");
  }
  return std::optional<long>{seconds};
}

Result<std::unique_ptr<transfer::Engine>> make_engine(const Job& job) {
  transfer::EngineConfig c;
  c.endpoint = job.target.endpoint;
  c.credentials = job.target.credentials;
  c.parallelism = job.parallelism;
  c.initial_parallelism = job.initial_parallelism;
  c.bandwidth = job.bandwidth;
  c.requests_per_second = job.requests_per_second;
  c.health.max_outage_seconds = double(job.max_outage);
  c.health.request_budget_seconds = double(job.max_outage);
  c.user_agent = std::string("pbs-s3sync/") + PBS_S3SYNC_VERSION;
  if (job.stall_seconds) c.stall_seconds = *job.stall_seconds;
  c.budget = job.budget;
  c.unsigned_payload = job.target.options.unsigned_payload;
  c.sse_customer_key = job.customer_key.key_base64;
  c.sse_customer_key_md5 = job.customer_key.md5_base64;
  c.interrupted = InterruptGuard::requested;
  // $PBS_S3SYNC_HEDGE=0: no hedged requests (to measure what they save, or rule them out).
  if (const char* hedge = std::getenv("PBS_S3SYNC_HEDGE"); hedge && std::string_view(hedge) == "0") c.hedge = false;
  return transfer::Engine::create(std::move(c));
}

Status check_customer_key(const Job& job, transfer::RequestInterface& requests, const remote::Remote& remote) {
  if (job.customer_key.key_base64.empty()) return {};
  // Every prefix this tool wrote holds its source record; a prefix without one has nothing to read.
  auto r = requests.execute(s3::head_object(remote.bucket, remote.key(records::kSourceKey)));
  if (!r) return Error(Errc::config, "SSE_CUSTOMER_KEY_FILE " + job.target.options.sse_customer_key_file +
                                         " does not open " + remote.url() + ": " + r.error().message());
  return {};
}

Result<OpenedTarget> open_target(const GlobalOptions& global, const std::string& target_arg,
                                 const std::optional<std::string>& point_in_time) {
  PBS_ASSIGN(Job job, setup_job(global, "", target_arg, false));
  job.budget = join_host_budget(job, global);
  PBS_ASSIGN(auto engine, make_engine(job));
  PBS_TRY(discover_prefix(job, *engine, global));
  PBS_ASSIGN(remote::Remote remote, remote_for(job.target, point_in_time));
  PBS_TRY(check_customer_key(job, *engine, remote));
  return OpenedTarget{std::move(job), std::move(engine), std::move(remote)};
}

Status discover_prefix(Job& job, transfer::Engine& engine, const GlobalOptions& global) {
  if (!job.target.prefix.empty()) return {};
  PBS_ASSIGN(job.target.prefix, remote::only_prefix(engine, job.target.bucket));
  if (!job.target.prefix.empty() && global.verbosity >= 0) {
    fmt::print(stderr, "pbs-s3sync: using prefix '{}', the only one in s3://{}\n", job.target.prefix, job.target.bucket);
  }
  return {};
}

}  // namespace pbs::cli
