#pragma once
// What S3 archive tiers mean for a reader (s3::is_archive_class: which classes need it): the retrieval
// tiers a restore may ask for and how long AWS documents each to take, and the x-amz-restore
// header a HEAD answers with while a restore is under way and after it.

#include <optional>
#include <string>
#include <string_view>

namespace pbs::thaw {

enum class Tier { bulk, standard, expedited };
// "bulk", "standard", "expedited" (any case); nullopt otherwise.
std::optional<Tier> parse_tier(std::string_view s);
// The name RestoreObject takes: "Bulk", "Standard", "Expedited".
std::string_view tier_name(Tier t);

// How long the provider takes to make a copy readable, as AWS documents it for the class and tier
// (restoring-objects-retrieval-options): hours, the usual and the most. nullopt: the class does not
// offer the tier (DEEP_ARCHIVE has no Expedited).
struct TierTime {
  double usual_hours = 0;
  double most_hours = 0;
};
std::optional<TierTime> tier_time(std::string_view storage_class, Tier tier);
// "1-5 minutes", "3-5 hours", "within 48 hours": for summaries.
std::string describe(const TierTime& t);
// How often a waiting run looks again: about a tenth of the usual time, from one minute to one hour.
double poll_seconds(const TierTime& t);

// The x-amz-restore header of a HEAD answer.
struct RestoreState {
  enum class Kind {
    none,      // no restore asked for (or the last copy expired)
    ongoing,   // ongoing-request="true"
    readable,  // ongoing-request="false", expiry-date="..."
  };
  Kind kind = Kind::none;
  std::string expiry;  // as the header gives it
};
RestoreState parse_restore_header(std::string_view header);

}  // namespace pbs::thaw
