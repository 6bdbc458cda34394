#pragma once
// For commands given only a bucket (no /prefix in the URL, no PREFIX in the STORAGE entry): the
// bucket's only top-level prefix is the datastore's, as PBS's own S3 backend names it.

#include <string>

#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::remote {

// The one top-level prefix of the bucket (names starting with '.' are not datastores); "" when
// there is none. Errc::invalid_argument, naming them, when there are several.
Result<std::string> only_prefix(transfer::RequestInterface& requests, const std::string& bucket);

}  // namespace pbs::remote
