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

#include "records/record_keys.h"
#include "records/source_record.h"
#include "util/result.h"

namespace pbs::push {

struct PrefixClaim {
  records::SourceRecord owner;  // who owns the prefix for this run
  bool write = false;           // the record is new or changed: write it before anything else
  std::string notice;           // what happened, for the summary (empty: nothing to say)
};

// `recorded`: the prefix's record (nullopt: none; an error: it does not parse). `self`: this
// sync's source. `has_snapshots`: the prefix already holds snapshots (a prefix synced before the
// record existed is adopted whole, with a notice). `now`: server time, the start of a takeover.
// Errc::config when the prefix is another's.
Result<PrefixClaim> claim_prefix(const Result<std::optional<records::SourceRecord>>& recorded,
                                 const records::SourceRecord& self, bool take_over, bool has_snapshots,
                                 std::int64_t now, std::string_view where);

}  // namespace pbs::push
