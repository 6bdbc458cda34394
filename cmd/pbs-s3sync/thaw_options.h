#pragma once
// --restore-tier, --restore-days and --request-only (restore, extract) as a thaw::ThawChoice.

#include <string>

#include "cli.h"
#include "commands.h"
#include "thaw/thaw_request.h"
#include "util/result.h"

namespace pbs::cli {

// `storage_class`: the target's STORAGE_CLASS (an archive class makes the command look first).
Result<thaw::ThawChoice> thaw_choice(const ThawArgs& args, const std::string& storage_class, const GlobalOptions& global);

}  // namespace pbs::cli
