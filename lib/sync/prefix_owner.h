#pragma once
// Which source datastore a prefix belongs to. The first sync into a prefix records its source
// (host and datastore name) in `<prefix>/.pbs-s3sync/source`, before any other write. A sync from
// another source is refused before it writes anything, unless it takes the prefix over (a
// datastore moved to a new host); then the record names the new source and since when it owns
// the prefix, and --remove-vanished removes only snapshots whose manifest was written since then:
// what another source wrote is never deleted by this one. Restore, verify, list and gc work from
// any host and do not look at it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pbs::sync {

inline constexpr std::string_view kSourceKey = ".pbs-s3sync/source";

struct SourceRecord {
  std::string host;
  std::string datastore;      // the datastore's name
  std::int64_t since = 0;     // server time from which this source owns the prefix (0: always)
  std::string taken_over_from;  // "datastore on host" of the previous owner, after a takeover

  bool same_source(const SourceRecord& o) const { return host == o.host && datastore == o.datastore; }
  std::string describe() const { return "datastore '" + datastore + "' on host '" + host + "'"; }
};

// Errc::corrupt when the text is not a source record.
Result<SourceRecord> parse_source_record(std::string_view text);
std::string format_source_record(const SourceRecord& record);

struct PrefixClaim {
  SourceRecord owner;       // who owns the prefix for this run
  bool write = false;       // the record is new or changed: write it before anything else
  std::string notice;       // what happened, for the summary (empty: nothing to say)
};

// `recorded`: the prefix's record (nullopt: none; an error: it does not parse). `self`: this
// sync's source. `has_snapshots`: the prefix already holds snapshots (a prefix synced before the
// record existed is adopted whole, with a notice). `now`: server time, the start of a takeover.
// Errc::config when the prefix is another's.
Result<PrefixClaim> claim_prefix(const Result<std::optional<SourceRecord>>& recorded, const SourceRecord& self,
                                 bool take_over, bool has_snapshots, std::int64_t now, std::string_view where);

}  // namespace pbs::sync
