#include "remote/bucket_features.h"

#include "s3/xml.h"

namespace pbs::remote {

Status check_bucket_lock(transfer::RequestInterface& requests, const Remote& remote) {
  PBS_ASSIGN(auto r, requests.execute(s3::get_object_lock_configuration(remote.bucket)));
  bool enabled = false;
  if (r.status == 200) {
    PBS_ASSIGN(auto c, s3::parse_lock_configuration(r.body_text()));
    enabled = c.enabled;
  }
  if (!enabled) {
    return Error(Errc::config, "s3://" + remote.bucket + " has no Object Lock, which OBJECT_LOCK needs; only a new "
                               "bucket can have it: create one with `aws s3api create-bucket --bucket NAME "
                               "--object-lock-enabled-for-bucket` (or `radosgw-admin`/the provider's console with "
                               "object lock on) and sync into that");
  }
  return {};
}

Result<bool> bucket_versioned(transfer::RequestInterface& requests, const Remote& remote) {
  auto req = s3::get_bucket_versioning(remote.bucket);
  req.accepted_statuses = {403, 405, 501};  // not allowed to ask, or a provider without versioning
  PBS_ASSIGN(auto r, requests.execute(std::move(req)));
  if (r.status != 200) return false;
  PBS_ASSIGN(std::string status, s3::parse_versioning_status(r.body_text()));
  return status == "Enabled" || status == "Suspended";
}

}  // namespace pbs::remote
