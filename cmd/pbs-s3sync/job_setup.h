#pragma once
// Turning command-line arguments into a job: the configuration file, the local datastore (path or
// PBS name), the target and its credentials, effective parallelism and bandwidth, the lock file.

#include <cstdint>
#include <memory>
#include <string>

#include "cli.h"
#include "config/customer_key.h"
#include "config/pbs_conf.h"
#include "config/target.h"
#include "host/host_name.h"
#include "datastore/datastore.h"
#include "encryption/prefix_key.h"
#include "remote/remote.h"
#include "transfer/engine.h"
#include "util/result.h"

namespace pbs::cli {

struct Job {
  config::PbsConf conf;
  std::string datastore_path;
  std::string datastore_name;
  config::Target target;
  // The ceiling of requests in flight; below it, a run starts at `initial_parallelism` and grows
  // while that pays (congestion.h). -j fixes it; MAX_WORKERS caps it.
  unsigned parallelism = 64;
  unsigned initial_parallelism = 8;  // 0: fixed at `parallelism`
  std::string parallelism_source = "default";
  BandwidthSchedule bandwidth;      // default: none
  double requests_per_second = 0;   // 0: no cap
  std::int64_t max_outage = 600;  // seconds
  std::optional<long> stall_seconds;  // $PBS_S3SYNC_STALL_SECONDS; default: the engine's
  std::string lock_path;
  config::CustomerKey customer_key;  // SSE-C; empty without SSE_CUSTOMER_KEY_FILE
  // This job's place in the host's budget (host_budget_setup.h); null: its own limits.
  std::shared_ptr<transfer::HostBudget> budget;
};

// When SYNC_INTERVAL is not set: `status --check` calls a job overdue after twice this, and
// `sync --if-due` skips a run within it of the last success.
inline constexpr std::int64_t kDefaultSyncInterval = 86400;
inline std::int64_t sync_interval(const config::PbsConf& conf) {
  return conf.sync_interval.value_or(kDefaultSyncInterval);
}

// $PBS_S3SYNC_STALL_SECONDS: how long a transfer may move no byte before it is retried. nullopt
// when unset or empty; Errc::invalid_argument, naming the variable and its value, when it is not
// a positive whole number of seconds.
Result<std::optional<long>> stall_seconds_from_env();

Result<config::PbsConf> load_config(const GlobalOptions& global);
// PBS's datastore.cfg, or the file $PBS_S3SYNC_DATASTORE_CFG names.
std::string datastore_cfg_path();
// DATASTORE as a path (made absolute and normal), or a name from datastore_cfg_path(); empty: the
// only datastore configured.
Result<std::pair<std::string, std::string>> resolve_datastore(const std::string& arg);
// The datastore is optional (status/unlock/config check): the prefix then needs the target.
Result<Job> setup_job(const GlobalOptions& global, const std::string& datastore_arg,
                      const std::string& target_arg, bool need_datastore,
                      bool need_credentials = true);
Result<std::unique_ptr<transfer::Engine>> make_engine(const Job& job);
// With SSE-C, one HEAD with the key before anything is written: a wrong key is a setting to fix
// (exit 2), said once, not one failure per object.
Status check_customer_key(const Job& job, transfer::RequestInterface& requests, const remote::Remote& remote);
// Effective parallelism (min of -j and MAX_WORKERS, and which won), bandwidth (--bandwidth-limit,
// else BANDWIDTH_SCHEDULE, else BANDWIDTH_LIMIT_MBS) and request rate (--tps-limit, else
// MAX_REQUESTS_PER_SECOND).
Status apply_limits(Job& job, const GlobalOptions& global);
// What every job needs once its configuration, datastore and target are known, however it was
// made (setup_job, or restore's own, whose datastore may not exist yet): the limits,
// $PBS_S3SYNC_STALL_SECONDS, the target's SSE-C customer key read from its file, the lock path.
Status finish_job(Job& job, const GlobalOptions& global);

// For commands given only a TARGET: the bucket's only prefix when none is given
// (remote/prefix_discovery.h).
Status discover_prefix(Job& job, transfer::Engine& engine, const GlobalOptions& global);

// A command given only a TARGET (list, verify, extract, gc, key): its job in the host's budget,
// its engine, and the target as read, now or at `point_in_time`, with the bucket's only prefix
// when none is given.
struct OpenedTarget {
  Job job;
  std::unique_ptr<transfer::Engine> engine;
  remote::Remote remote;
};
Result<OpenedTarget> open_target(const GlobalOptions& global, const std::string& target_arg,
                                 const std::optional<std::string>& point_in_time = std::nullopt);

// The target as commands read it: now, or as it was at `point_in_time` (util/time_point.h).
Result<remote::Remote> remote_for(const config::Target& target, const std::optional<std::string>& point_in_time);

// The key source of a target: --passphrase-file and --keyfile, each else the STORAGE entry's
// PASSPHRASE_FILE / KEYFILE; nullopt when neither gives one.
std::optional<encryption::KeySource> key_source(const std::string& passphrase_file, const std::string& keyfile,
                                          const config::StorageOptions& options);

// The key of an encrypted prefix (a restore, verify or key command: never creates one), its
// warnings (a file readable by others) printed to stderr unless quiet.
Result<std::shared_ptr<const crypto::CryptKey>> open_target_key(transfer::RequestInterface& requests,
                                                                 const remote::Remote& remote,
                                                                 const encryption::KeySource& source,
                                                                 const GlobalOptions& global, bool pbs_key_file = false);

// Prints configuration warnings to stderr (unless quiet).
void print_warnings(const config::PbsConf& conf, const GlobalOptions& global);

}  // namespace pbs::cli
