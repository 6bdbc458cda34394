#pragma once
// Resolving the DATASTORE / TARGET arguments, and printing a fatal error.

#include <string>

#include "datastore/datastore.h"
#include "util/result.h"

namespace pbs::cli {

// A local datastore path. Remote (s3://) sources are refused until remote commands exist.
Result<datastore::Datastore> open_local_datastore(const std::string& source);

// Prints "pbs-s3sync: <message>" to stderr and returns the exit code for the error.
int report_error(const Error& error);

}  // namespace pbs::cli
