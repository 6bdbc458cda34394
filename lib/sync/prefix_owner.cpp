#include "sync/prefix_owner.h"

#include <nlohmann/json.hpp>

#include "sync/json_fields.h"

namespace pbs::sync {

Result<SourceRecord> parse_source_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [] { return Error(Errc::corrupt, std::string(kSourceKey) + ": not a source record"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  SourceRecord r;
  bool ok = json_string(j, "host", r.host, true) && json_string(j, "datastore", r.datastore, true) &&
            json_int(j, "since", r.since) && json_string(j, "taken-over-from", r.taken_over_from);
  if (!ok) return bad();
  return r;
}

std::string format_source_record(const SourceRecord& r) {
  nlohmann::json j = {{"host", r.host}, {"datastore", r.datastore}, {"since", r.since}};
  if (!r.taken_over_from.empty()) j["taken-over-from"] = r.taken_over_from;
  return j.dump();
}

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
    std::string other = recorded ? "belongs to " + (*recorded)->describe() + " (" + std::string(kSourceKey) + ")"
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

}  // namespace pbs::sync
