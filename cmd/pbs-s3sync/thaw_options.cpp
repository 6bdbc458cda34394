#include "thaw_options.h"

#include <fmt/core.h>

#include <cstdlib>

#include "s3/request.h"
#include "thaw/archive_tier.h"

namespace pbs::cli {

Result<thaw::ThawChoice> thaw_choice(const ThawArgs& args, const std::string& storage_class, const GlobalOptions& global) {
  thaw::ThawChoice c;
  if (!args.tier.empty()) c.tier = *thaw::parse_tier(args.tier);  // the option checked it
  if (args.days) c.days = *args.days;
  c.request_only = args.request_only;
  // Chunks are listed with their classes first when they are meant to be archived or a restore
  // option says so; otherwise the reads find archived ones (a lifecycle rule moved them).
  c.look_first = args.given() || s3::is_archive_class(storage_class);
  // $PBS_S3SYNC_THAW_POLL_SECONDS: how often a waiting restore looks again (tests; default by tier).
  if (const char* v = std::getenv("PBS_S3SYNC_THAW_POLL_SECONDS")) {
    char* end = nullptr;
    double s = std::strtod(v, &end);
    if (end == v || *end || !(s >= 0.1 && s <= 86400)) return Error(Errc::invalid_argument, "PBS_S3SYNC_THAW_POLL_SECONDS: a number of seconds from 0.1 to 86400");
    c.poll_seconds = s;
  }
  if (global.verbosity >= 0) c.say = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  return c;
}

}  // namespace pbs::cli
