#include "retention/lock_policy.h"

namespace pbs::retention {

std::string days_text(std::int64_t seconds) {
  std::int64_t days = seconds / kDay, rest = seconds % kDay;
  return std::to_string(days) + (rest ? " days " + std::to_string(rest / 3600) + " h" : " days");
}

Status check_lock_policy(const LockPolicy& p) {
  if (p.mode != "GOVERNANCE" && p.mode != "COMPLIANCE") {
    return Error(Errc::config, "object lock mode must be GOVERNANCE or COMPLIANCE");
  }
  std::int64_t least = 2 * p.sync_interval + kDay;
  if (p.period() < least) {
    return Error(Errc::config, "OBJECT_LOCK_DAYS=" + std::to_string(p.days) + " is too short for runs every " +
                                   days_text(p.sync_interval) + " (SYNC_INTERVAL): retention must be at least twice "
                                   "the interval plus a day (" + days_text(least) + "), or an object could run out "
                                   "of it between two runs");
  }
  return {};
}

std::string lock_policy_warning(const LockPolicy& p) {
  std::int64_t between = p.period() - p.margin();
  if (between >= 2 * p.sync_interval) return "";
  return "OBJECT_LOCK_DAYS=" + std::to_string(p.days) + " leaves " + days_text(between) +
         " between extension passes, about one run's worth: most runs extend every object (one request each); "
         "a longer retention makes passes rare";
}

}  // namespace pbs::retention
