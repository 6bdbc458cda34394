#include "util/error.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pbs {

bool concerns_target(Errc code) {
  switch (code) {
    case Errc::access_denied:
    case Errc::auth:
    case Errc::no_such_bucket:
    case Errc::wrong_region:
    case Errc::tls:
    case Errc::network:
    case Errc::timeout:
      return true;
    default:
      return false;
  }
}

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::io: return "io";
    case Errc::not_found: return "not-found";
    case Errc::permission_denied: return "permission-denied";
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
    case Errc::no_such_key: return "no-such-key";
    case Errc::wrong_region: return "wrong-region";
    case Errc::tls: return "tls";
    case Errc::network: return "network";
    case Errc::timeout: return "timeout";
    case Errc::throttled: return "throttled";
    case Errc::archived: return "archived";
    case Errc::remote: return "remote";
    case Errc::interrupted: return "interrupted";
  }
  return "unknown";
}

bool is_remote(Errc code) {
  switch (code) {
    case Errc::auth:
    case Errc::access_denied:
    case Errc::no_such_bucket:
    case Errc::no_such_key:
    case Errc::wrong_region:
    case Errc::tls:
    case Errc::network:
    case Errc::timeout:
    case Errc::throttled:
    case Errc::archived:
    case Errc::remote:
      return true;
    default:
      return false;
  }
}

namespace {
// "root" or "uid 34": who was refused, for a permission error the admin has to fix.
std::string current_user() {
  uid_t uid = ::geteuid();
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return "uid " + std::to_string(uid);
}
}  // namespace

Error errno_error(int err, std::string_view operation, std::string_view path) {
  Errc code = Errc::io;
  if (err == ENOENT) code = Errc::not_found;
  if (err == ENOSPC || err == EDQUOT) code = Errc::no_space;
  if (err == EACCES || err == EPERM) code = Errc::permission_denied;
  std::string message(path);
  message += ": ";
  message += operation;
  message += " failed: ";
  message += std::strerror(err);
  if (code == Errc::permission_denied) message += " (running as " + current_user() + ")";
  return Error(code, std::move(message));
}

}  // namespace pbs
