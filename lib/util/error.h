#pragma once
// One error type for the whole project (as curl has CURLcode): a code that says what kind of
// failure it is, so callers can decide (retry, exit code), and a message with the context a user
// needs (which file, which object, which offset, what was expected).

#include <string>
#include <string_view>
#include <utility>

namespace pbs {

// Each code is either about this machine or about the remote side (is_remote), never both: an
// unreadable local file and a refused request must not be mistaken for each other.
enum class Errc {
  // This machine.
  io,                 // local read/write failed (errno in the message)
  not_found,          // local file does not exist
  permission_denied,  // local file or directory not accessible to the user running us
  corrupt,            // bytes do not follow the format (magic, sizes, JSON)
  checksum,           // CRC, SHA-256 or manifest csum mismatch
  unsupported,        // valid but not handled (e.g. decoding an encrypted blob)
  invalid_argument,   // bad command-line value or name
  config,             // configuration problem (file, TLS trust, region)
  no_space,           // ENOSPC / EDQUOT
  locked,             // a lock is held by someone else
  interrupted,        // stopped by a signal
  // The remote side.
  auth,               // credentials rejected by the remote
  access_denied,      // credentials valid, permission missing
  no_such_bucket,     // bucket missing
  no_such_key,        // object missing where the request needed one
  wrong_region,       // the bucket lives in another region or behind another endpoint
  tls,                // the server's TLS certificate is not trusted
  network,            // could not reach or lost the connection
  timeout,            // request or transfer stalled
  throttled,          // remote asked us to slow down
  archived,           // the object is in an archive storage class and not restored (InvalidObjectState)
  remote,             // any other error the remote reported
};

// True for the codes that describe the remote side's answer (or its absence).
bool is_remote(Errc code);
// True for the remote codes about the target as a whole rather than one object (refused
// credentials or permission, no bucket, untrusted TLS, unreachable): every further request would
// fail the same way, so a run stops at the first.
bool concerns_target(Errc code);

// A short, stable description of the code (used in summaries and JSON).
std::string_view errc_name(Errc code);

class Error {
 public:
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  Errc code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with where the error happened: "index.json.blob: bad CRC".
  Error& context(std::string_view where) {
    std::string prefixed(where);
    prefixed += ": ";
    prefixed += message_;
    message_ = std::move(prefixed);
    return *this;
  }

 private:
  Errc code_;
  std::string message_;
};

// Error from an errno value, naming the operation and the path.
Error errno_error(int err, std::string_view operation, std::string_view path);

}  // namespace pbs
