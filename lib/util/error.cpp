#include "util/error.h"

#include <cerrno>
#include <cstring>

namespace pbs {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::io: return "io";
    case Errc::not_found: return "not-found";
    case Errc::corrupt: return "corrupt";
    case Errc::checksum: return "checksum";
    case Errc::unsupported: return "unsupported";
    case Errc::invalid_argument: return "invalid-argument";
    case Errc::config: return "config";
    case Errc::no_space: return "no-space";
    case Errc::locked: return "locked";
    case Errc::auth: return "auth";
    case Errc::access_denied: return "access-denied";
    case Errc::no_such_bucket: return "no-such-bucket";
    case Errc::network: return "network";
    case Errc::timeout: return "timeout";
    case Errc::throttled: return "throttled";
    case Errc::remote: return "remote";
    case Errc::interrupted: return "interrupted";
  }
  return "unknown";
}

Error errno_error(int err, std::string_view operation, std::string_view path) {
  Errc code = Errc::io;
  if (err == ENOENT) code = Errc::not_found;
  if (err == ENOSPC || err == EDQUOT) code = Errc::no_space;
  if (err == EACCES || err == EPERM) code = Errc::access_denied;
  std::string message(path);
  message += ": ";
  message += operation;
  message += " failed: ";
  message += std::strerror(err);
  return Error(code, std::move(message));
}

}  // namespace pbs
