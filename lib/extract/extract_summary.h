#pragma once
// What an extract did, as plain data: the report module prints it (text, JSON).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/run_outcome.h"
#include "thaw/thaw_request.h"
#include "transfer/counters.h"

namespace pbs::extract {

struct ExtractSummary {
  std::string target;
  std::string snapshot;  // "vm/100/2026-11-01T02:00:00Z" (in its namespace)
  std::string archive;   // as the manifest names it
  std::string format;    // "fixed index", "dynamic index", "blob"
  std::string output;    // as given ("-": standard output)
  std::uint64_t size = 0;  // the archive's length: the image, stream or decoded blob
  bool encrypted = false;
  bool resumed = false;   // a .part of an earlier run was continued (or a device's content checked)
  bool dry_run = false;
  bool complete = false;  // OUTPUT holds the whole archive, synced
  std::size_t chunks = 0;            // places in the index
  std::size_t chunks_fetched = 0;    // downloaded, checked and written
  std::size_t zero_chunks = 0;       // all zeros: not fetched (a hole in a file)
  std::size_t chunks_in_place = 0;   // an earlier run wrote them (checked against their names)
  std::size_t chunks_repeated = 0;   // the same chunk again at another offset: fetched once
  std::uint64_t bytes_fetched = 0;   // chunk objects as stored
  std::uint64_t bytes_written = 0;   // data written to OUTPUT (zeros too where they had to be)
  transfer::Counters counters;
  double duration = 0;
  std::vector<run::ObjectError> errors;
  std::vector<std::string> notices;
  run::RunOutcome outcome;
  std::optional<thaw::ThawSummary> thaw;  // --restore-tier and friends: the archived chunks it needed
  bool asked_only = false;  // --request-only: asked for the archived chunks, wrote nothing
  bool ok() const { return (complete || asked_only) && errors.empty(); }
};

}  // namespace pbs::extract
