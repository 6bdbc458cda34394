#pragma once
// Extending the retention of objects already stored: one PutObjectRetention each, the engine's
// submit depth at a time. An object whose current version is a delete marker (an attack, or a
// mistake) gets its newest real version extended, which is what a point-in-time restore needs.
// A refusal where the object is already locked at least as long (N lowered, or COMPLIANCE where
// GOVERNANCE is asked) counts as covered; other refusals of single objects are counted and keep
// the record where it was; refusals of everything stop the run (the credentials lack
// s3:PutObjectRetention).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "remote/remote.h"
#include "s3/request.h"
#include "transfer/request_interface.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::retention {

struct ExtensionCounts {
  std::size_t objects = 0;         // extended, or locked at least as long already
  std::size_t failures = 0;        // refused: the record stays, the next run tries again
  std::size_t missing = 0;         // needed by a complete snapshot but gone remotely
  std::size_t already_longer = 0;  // refused, but locked at least as long already
  std::size_t hidden = 0;          // its current version a delete marker: the last real one extended
  std::vector<std::string> errors;  // the first few problems, each naming its object
};

// `files` are keys relative to the prefix; `chunks` by digest.
Status extend_retention(transfer::RequestInterface& requests, const remote::Remote& remote,
                        const std::vector<std::string>& files, const std::vector<Digest>& chunks,
                        const s3::Retention& retention, ExtensionCounts& counts);

}  // namespace pbs::retention
