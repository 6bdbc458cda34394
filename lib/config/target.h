#pragma once
// Resolving where a job goes: TARGET is s3://bucket[/prefix] or the id of a STORAGE entry; the
// endpoint, region, addressing, TLS settings and credentials come from, first found wins, the
// environment (AWS_*), the STORAGE entry, then ~/.aws (AWS_PROFILE). The prefix defaults to the
// datastore's name, as PBS's own S3 backend uses it.

#include <optional>
#include <string>
#include <string_view>

#include "config/environment.h"
#include "bill/price_table.h"
#include "config/pbs_conf.h"
#include "s3/endpoint.h"
#include "s3/sigv4.h"
#include "util/result.h"

namespace pbs::config {

struct StorageOptions {
  std::string storage_class;
  std::string sse;
  std::string sse_kms_key_id;
  std::string sse_customer_key_file;  // SSE-C: config/customer_key.h
  std::optional<unsigned> min_storage_days;  // MIN_STORAGE_DAYS: gc keeps younger objects (gc/min_storage.h)
  bool if_none_match = true;  // providers without conditional PUT: IF_NONE_MATCH=false
  bool content_md5 = false;
  bool unsigned_payload = true;  // UNSIGNED_PAYLOAD: over https only (transfer/engine_config.h)
  std::string object_lock;   // GOVERNANCE or COMPLIANCE: every object written is locked
  unsigned object_lock_days = 0;
  bool encryption = false;      // ENCRYPTION: snapshots are encrypted on the way up
  std::string passphrase_file;  // PASSPHRASE_FILE: the passphrase of the key stored in the prefix
  std::string keyfile;          // KEYFILE: a PBS key file
  unsigned weight = 1;          // WEIGHT: the share of the host's budget of jobs into this target
  // PRICES (a preset or a file), else the preset the endpoint's host names: what runs cost.
  std::optional<bill::PriceTable> prices;
};

struct Target {
  std::string id;  // STORAGE id, empty for an s3:// URL
  std::string bucket;
  std::string prefix;  // no leading or trailing '/'
  s3::Endpoint endpoint;
  s3::Credentials credentials;
  std::string credentials_source;  // "environment", "STORAGE entry 'x'", "~/.aws profile 'p'"
  StorageOptions options;

  // "s3://bucket/prefix": never credentials.
  std::string url() const;
  // The object key for a path relative to the prefix.
  std::string key(std::string_view rel) const;
};

// `arg` empty: the only STORAGE entry. `default_prefix` applies when neither the URL nor the
// STORAGE entry gives one.
// Without `need_credentials`, missing keys are not an error (status and unlock only need the
// target's name).
Result<Target> resolve_target(std::string_view arg, const PbsConf& conf, const Environment& env,
                              std::string_view default_prefix, bool need_credentials = true);

}  // namespace pbs::config
