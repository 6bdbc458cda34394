#include "exit_code.h"

namespace pbs::cli {

int exit_code_for(const Error& error) {
  switch (error.code()) {
    case Errc::wrong_region:  // found out by asking the server, fixed in the configuration
    case Errc::tls:
      return kExitUsage;
    default:
      break;
  }
  if (is_remote(error.code())) return kExitRemoteRefused;
  switch (error.code()) {
    case Errc::invalid_argument:
    case Errc::config:
    case Errc::not_found:
    case Errc::permission_denied:
    case Errc::unsupported:
      return kExitUsage;
    case Errc::locked:
      return kExitLocked;
    default:
      return kExitPartial;
  }
}

int exit_code_for_findings(bool clean) { return clean ? kExitOk : kExitPartial; }

int exit_code_for(const run::RunOutcome& outcome, bool complete) {
  if (outcome.stop == run::StopCause::remote) return kExitRemoteRefused;
  return complete && outcome.stop == run::StopCause::none ? kExitOk : kExitPartial;
}

}  // namespace pbs::cli
