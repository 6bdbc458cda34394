#pragma once
// What a restore did, as plain data: the report module prints it (text, JSON).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bill/price_table.h"
#include "run/run_outcome.h"
#include "thaw/thaw_request.h"
#include "transfer/counters.h"

namespace pbs::restore {

struct RestoreSummary {
  std::string target;
  std::string datastore;
  bool created = false;  // the datastore did not exist before
  bool dry_run = false;
  std::optional<bill::PriceTable> prices;  // the target's: what the run cost
  std::size_t snapshots_selected = 0;
  std::size_t snapshots_restored = 0;
  std::size_t snapshots_present = 0;  // already complete locally with the same manifest
  std::size_t snapshots_failed = 0;
  std::size_t snapshots_waiting = 0;  // need chunks in an archive class that are not readable yet
  std::size_t chunks_fetched = 0;
  std::size_t chunks_present = 0;
  std::uint64_t chunk_bytes = 0;
  std::size_t files_written = 0;
  transfer::Counters counters;
  double duration = 0;
  std::vector<run::ObjectError> errors;
  std::vector<std::string> notices;
  std::optional<thaw::ThawSummary> thaw;  // chunks in an archive class were needed
  bool asked_only = false;  // --request-only: archived chunks asked for, their snapshots left for a later run
  // Snapshots still waiting for archived chunks are not complete unless only asking was meant.
  bool complete() const { return snapshots_failed == 0 && errors.empty() && (snapshots_waiting == 0 || asked_only); }
  run::RunOutcome outcome;
};

}  // namespace pbs::restore
