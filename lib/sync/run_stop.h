#pragma once

#include <optional>
#include <string>

#include "util/error.h"

namespace pbs::sync {

// Errors about the target rather than one object (access denied, bad credentials, bucket gone,
// endpoint unreachable after the engine's retries): every further request would fail the same
// way, so sync and restore stop at the first. Returns the reason given to the snapshots left
// behind, or nothing for an error that concerns one object.
std::optional<std::string> remote_stop_reason(const Error& error);

}  // namespace pbs::sync
