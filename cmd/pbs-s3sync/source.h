#pragma once
// Resolving the DATASTORE / TARGET arguments.

#include <string>

#include "cli.h"
#include "datastore/datastore.h"
#include "util/result.h"

namespace pbs::cli {

// A local datastore path.
Result<datastore::Datastore> open_local_datastore(const std::string& source);

// True when SOURCE names a remote target: s3://..., or a STORAGE id of the configuration. A name
// with no '/' that is both a STORAGE id and a local directory is refused as ambiguous.
Result<bool> is_remote_source(const std::string& source, const GlobalOptions& global);


}  // namespace pbs::cli
