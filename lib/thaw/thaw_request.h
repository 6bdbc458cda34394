#pragma once
// Archived objects made readable: each one is looked at (HEAD: its class and x-amz-restore), those
// with no restore under way or done are asked for (RestoreObject at the chosen tier, for some
// days), and a waiting run polls until every one it needs is readable. Reruns ask only for what
// is neither asked for nor readable: the provider keeps that state, so nothing is kept here.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "remote/remote.h"
#include "run/run_outcome.h"
#include "thaw/archive_tier.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::thaw {

struct ArchivedObject {
  std::string key;  // the whole key in the bucket
  std::uint64_t size = 0;
  std::string version_id;  // at a point in time; "" for the current version
};

struct ThawSummary {
  std::string storage_class;  // the archive class the objects are in (GLACIER, DEEP_ARCHIVE); the last seen
  std::set<std::string> classes;  // every archive class seen
  Tier tier = Tier::standard;
  unsigned days = 0;
  std::size_t needed = 0;    // of the objects looked at, those in an archive class
  std::size_t readable = 0;  // of those, with a readable copy already (or no longer archived)
  std::size_t ongoing = 0;   // asked for by an earlier run, not readable yet
  std::size_t asked = 0;     // asked for by this run (or, in a dry run, that would be)
  std::uint64_t bytes_asked = 0;
  std::size_t waiting = 0;   // not readable when the run ended (--request-only, interrupted)
  double waited_seconds = 0;
};

// How a command asks for the archived objects it needs (--restore-tier, --restore-days, --request-only).
struct ThawChoice {
  Tier tier = Tier::standard;
  unsigned days = 7;
  bool request_only = false;  // ask, and end without waiting or fetching
  bool look_first = false;    // look for archived objects before fetching anything
  double poll_seconds = 0;    // 0: by the class and tier (poll_seconds)
  std::function<void(const std::string&)> say;  // a line for the administrator while it waits
};

// Asks for `objects` and, unless request_only (or `dry_run`: nothing is asked), waits until they
// are readable; what it did goes to `summary`, per-object failures to `errors`.
Status make_readable(transfer::RequestInterface& requests, const remote::Remote& remote,
                     std::vector<ArchivedObject> objects, const ThawChoice& choice, bool dry_run,
                     const std::function<bool()>& interrupted, ThawSummary& summary,
                     std::vector<run::ObjectError>& errors);

}  // namespace pbs::thaw
