#include "sync/run_stop.h"

namespace pbs::sync {

std::optional<std::string> remote_stop_reason(const Error& error) {
  switch (error.code()) {
    case Errc::access_denied:
    case Errc::auth:
    case Errc::no_such_bucket:
      return "the server refused this run (see above)";
    case Errc::network:
    case Errc::timeout:
      return "the server could not be reached (see above); rerun when it can, the run resumes";
    default:
      return std::nullopt;
  }
}

}  // namespace pbs::sync
