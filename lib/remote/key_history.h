#pragma once
// Every key under part of the prefix with its history: in a versioned bucket its versions and
// delete markers, newest first; in a plain one its only (current) version, with no version id.
// Decisions about what to keep (gc) are then written once, for both kinds of bucket.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/remote.h"
#include "s3/xml.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::remote {

struct KeyHistory {
  std::string rel;  // relative to the prefix
  std::vector<s3::ObjectInfo> versions;  // newest first; never empty
  const s3::ObjectInfo& newest() const { return versions.front(); }
};

// `split_hex`: 16 listings in parallel (listing.h). `each` gets every key once, whole.
Status list_key_histories(transfer::RequestInterface& requests, const Remote& remote, std::string_view rel_prefix,
                          bool split_hex, bool versioned, const std::function<void(const KeyHistory&)>& each);

}  // namespace pbs::remote
