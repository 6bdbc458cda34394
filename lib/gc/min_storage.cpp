#include "gc/min_storage.h"

namespace pbs::gc {

unsigned min_storage_days(std::string_view storage_class, std::optional<unsigned> override_days) {
  if (override_days) return *override_days;
  if (storage_class == "STANDARD_IA" || storage_class == "ONEZONE_IA") return 30;
  if (storage_class == "GLACIER_IR" || storage_class == "GLACIER") return 90;
  if (storage_class == "DEEP_ARCHIVE") return 180;
  return 0;
}

bool MinStorage::holds(std::string_view storage_class, std::int64_t last_modified) const {
  return days_left(storage_class, last_modified) > 0;
}

double MinStorage::days_left(std::string_view storage_class, std::int64_t last_modified) const {
  unsigned days = min_storage_days(storage_class, override_days);
  std::int64_t left = std::int64_t(days) * 86400 - (now - last_modified);
  return days && left > 0 ? double(left) / 86400 : 0;
}

}  // namespace pbs::gc
