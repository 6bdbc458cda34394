#pragma once
// Minimum storage durations: an object deleted before its class's minimum is billed as if it had
// stayed that long (AWS: STANDARD_IA and ONEZONE_IA 30 days, GLACIER_IR and GLACIER 90,
// DEEP_ARCHIVE 180; some providers charge every object so, e.g. Wasabi 90 days, which
// MIN_STORAGE_DAYS says). gc keeps such an object until its minimum has passed: deleting it
// earlier frees nothing on the bill, and a later night may reference it again.
#include <cstdint>
#include <optional>
#include <string_view>

namespace pbs::gc {

// Days; `override_days` (MIN_STORAGE_DAYS) wins over the class's own when given.
unsigned min_storage_days(std::string_view storage_class, std::optional<unsigned> override_days);

struct MinStorage {
  std::int64_t now = 0;
  std::optional<unsigned> override_days;
  // Whether an object of this class written at `last_modified` is still inside its minimum.
  bool holds(std::string_view storage_class, std::int64_t last_modified) const;
  // Days of its minimum still to run (0 when past it): what deleting it now would still be billed.
  double days_left(std::string_view storage_class, std::int64_t last_modified) const;
};

}  // namespace pbs::gc
