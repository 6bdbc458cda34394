#include "push/prefix_claim.h"

namespace pbs::push {

using records::SourceRecord;

Result<PrefixClaim> claim_prefix(const Result<std::optional<SourceRecord>>& recorded, const SourceRecord& self,
                                 bool take_over, bool has_snapshots, std::int64_t now, std::string_view where) {
  PrefixClaim claim;
  claim.owner = self;
  std::string w(where);
  if (recorded && !*recorded) {
    // The first source owns everything there: nothing in the prefix is another's.
    claim.write = true;
    claim.owner.since = 0;
    if (has_snapshots) {
      claim.notice = w + " had no source record: recorded " + self.describe() + " as its source, owning the "
                     "snapshots already there";
    }
    return claim;
  }
  if (recorded && (*recorded)->same_source(self)) {
    claim.owner = **recorded;
    return claim;
  }
  if (!take_over) {
    std::string other = recorded ? "belongs to " + (*recorded)->describe() + " (" + std::string(records::kSourceKey) + ")"
                                 : "has a source record that does not parse (" + recorded.error().message() + ")";
    return Error(Errc::config, w + " " + other + "; this sync is from " + self.describe() +
                                   ". Nothing was written. Use another prefix (PREFIX= in the STORAGE entry), or "
                                   "--take-over once if this datastore now replaces that one");
  }
  claim.write = true;
  claim.owner.since = now;
  claim.owner.taken_over_from = recorded ? (*recorded)->describe() : "an unreadable record";
  claim.notice = w + " taken over from " + claim.owner.taken_over_from + "; --remove-vanished leaves the "
                 "snapshots written before now alone";
  return claim;
}

}  // namespace pbs::push
