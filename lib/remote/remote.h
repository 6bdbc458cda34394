#pragma once
// A target: a bucket and the prefix under which the datastore's layout lives.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/calendar.h"

namespace pbs::remote {

struct Remote {
  std::string bucket;
  std::string prefix;
  // A point in time (epoch seconds): read the target as it was then, from object versions (for
  // each key the newest version not after it, unless that is a delete marker). 0: as it is now.
  std::int64_t as_of = 0;

  // The object key of `rel` (a key relative to the prefix, such as ".chunks/abcd/...").
  std::string key(std::string_view rel) const {
    return prefix.empty() ? std::string(rel) : prefix + "/" + std::string(rel);
  }
  // "s3://bucket/prefix", for messages and summaries (with the point in time, when one is given).
  std::string url() const {
    std::string u = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
    if (as_of) u += " as of " + format_utc(as_of, "%Y-%m-%dT%H:%M:%SZ");  // as s3::iso8601 writes it
    return u;
  }
};

// Why `command` (restore, verify) found no complete snapshot to work on, for the error that says
// so: finding nothing is a failure there (a mistyped prefix, a time before the first sync), never
// an empty success.
inline std::string nothing_there(const Remote& remote, std::string_view command) {
  return remote.url() + " holds no complete snapshot to " + std::string(command) +
         (remote.as_of ? ": nothing that old, or the bucket keeps no versions (a point in time then sees only "
                         "objects never overwritten or deleted since)"
                       : ": is the prefix (or the namespace) right?");
}

}  // namespace pbs::remote
