#pragma once
// S3 Object Lock on a target (retention modes, retain-until dates): every object a locked run writes
// carries the mode and a retain-until of the run's start + N days, and what complete snapshots
// still need is extended before it runs out (retention_pass.h). The policy is the mode, N, and how
// often runs come; a pass runs when the coverage comes within a margin of now.

#include <cstdint>
#include <string>

#include "util/duration.h"
#include "util/result.h"

namespace pbs::retention {

struct LockPolicy {
  std::string mode;                // GOVERNANCE or COMPLIANCE
  unsigned days = 0;
  std::int64_t sync_interval = kDay;  // how often runs come (SYNC_INTERVAL)

  std::int64_t period() const { return std::int64_t(days) * kDay; }
  // A pass runs when `covered-until` is closer than this: the next run may come an interval
  // late, plus a day of slack.
  std::int64_t margin() const { return sync_interval + kDay; }
};

// kopia's rule: N at least twice the interval plus a day, so that retention never runs out
// between two runs even when one is missed.
Status check_lock_policy(const LockPolicy& policy);

// Not an error, but costly: a retention so short that nearly every run is a pass. "" when fine.
std::string lock_policy_warning(const LockPolicy& policy);

// "3 days", "1 days 12 h": a span of seconds in the words the messages use.
std::string days_text(std::int64_t seconds);

}  // namespace pbs::retention
