#pragma once
// /etc/pbs.conf: plain KEY=VALUE lines and '#' comments, the keys PBS administrators know:
//   STORAGE=s3://BUCKET@ID:K=V,K=V,...   (several allowed, one per target id)
//   MAX_WORKERS=4  BANDWIDTH_LIMIT_MBS=50  SYNC_INTERVAL=3600
// Unknown keys and malformed lines are errors naming the line. Error texts never quote values,
// so a secret on a broken line does not end up in a log.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bandwidth.h"

#include "util/result.h"

namespace pbs::config {

struct StorageEntry {
  std::string id;
  std::string bucket;
  std::map<std::string, std::string> values;  // validated keys (AWS_ACCESS_KEY_ID, ENDPOINT, ...)
  int line = 0;

  std::optional<std::string> get(std::string_view key) const;
  // TLS_VERIFY, PATH_STYLE, IF_NONE_MATCH, CONTENT_MD5 (already validated as booleans).
  std::optional<bool> flag(std::string_view key) const;
};

struct PbsConf {
  std::string path;
  std::vector<StorageEntry> storages;
  std::optional<unsigned> max_workers;
  std::optional<double> bandwidth_limit_mbs;  // megabytes (10^6 bytes) per second
  std::optional<BandwidthSchedule> bandwidth_schedule;  // BANDWIDTH_SCHEDULE: overrides BANDWIDTH_LIMIT_MBS
  std::optional<double> max_requests_per_second;        // every request, retries too
  std::optional<std::int64_t> sync_interval;  // seconds
  std::optional<std::int64_t> max_outage;     // seconds the endpoint may be gone before a run stops
  std::vector<std::string> warnings;

  const StorageEntry* find_storage(std::string_view id) const;
  bool holds_secrets() const;
};

// The keys a STORAGE entry may hold.
const std::vector<std::string_view>& storage_keys();

Result<PbsConf> parse_pbs_conf(std::string_view text, std::string_view path);
// Reads and parses the file. A missing file is an empty configuration unless `required`.
// Adds a warning when the file holds secrets and is readable by group or others.
Result<PbsConf> load_pbs_conf(const std::string& path, bool required);

// WEIGHT: a job's share of the host's budget against the others', 1 to 100.
std::optional<unsigned> parse_weight(std::string_view text);
// OBJECT_LOCK_DAYS: 1 to 36500.
std::optional<unsigned> parse_lock_days(std::string_view text);
// MIN_STORAGE_DAYS: 0 to 9999 days.
std::optional<unsigned> parse_min_storage_days(std::string_view text);

// "true"/"false" and their usual spellings; nullopt for anything else.
std::optional<bool> parse_bool(std::string_view text);

}  // namespace pbs::config
