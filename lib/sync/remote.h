#pragma once
// A target: a bucket and the prefix under which the datastore's layout lives.

#include <string>
#include <string_view>

namespace pbs::sync {

struct Remote {
  std::string bucket;
  std::string prefix;

  // The object key of `rel` (a key relative to the prefix, such as ".chunks/abcd/...").
  std::string key(std::string_view rel) const {
    return prefix.empty() ? std::string(rel) : prefix + "/" + std::string(rel);
  }
  // "s3://bucket/prefix", for messages and summaries.
  std::string url() const { return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix); }
};

}  // namespace pbs::sync
