#include "exit_code.h"

namespace pbs::cli {

int exit_code_for(const Error& error) {
  switch (error.code()) {
    case Errc::invalid_argument:
    case Errc::config:
    case Errc::not_found:
      return kExitUsage;
    case Errc::locked:
      return kExitLocked;
    case Errc::auth:
    case Errc::access_denied:
    case Errc::no_such_bucket:
      return kExitRemoteRefused;
    default:
      return kExitPartial;
  }
}

}  // namespace pbs::cli
