#pragma once
// This host's name as recorded in lock files, gc leases and the target's source record.

#include <string>

namespace pbs::host {

// $PBS_S3SYNC_HOST when set (a container whose hostname changes at every start), else gethostname.
std::string local_host_name();

}  // namespace pbs::host
