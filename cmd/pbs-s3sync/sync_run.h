#pragma once
// One sync job from its arguments to its report, as `sync` runs it and as `sync --all` runs one per
// datastore beside the others: the report is built, the run recorded in its lock file; printing
// it and writing the metrics file are the caller's (publish()).

#include <nlohmann/json.hpp>

#include <string>

#include "cli.h"
#include "commands.h"

namespace pbs::cli {

struct SyncReport {
  int code = 0;
  nlohmann::ordered_json json;  // the run's JSON document (with "error" when it failed)
  std::string text;             // its text summary ("" when it failed)
  std::string error;            // why it failed before its end, for stderr ("" otherwise)
  std::string metrics;          // its Prometheus textfile lines ("" when skipped)
};

struct SyncRunSettings {
  bool progress = true;        // a progress line when the output is a terminal
  bool print_warnings = true;  // the config file's warnings on stderr
};

SyncReport run_one_sync(const SyncArgs& args, const GlobalOptions& global, const SyncRunSettings& settings);
void publish(const SyncReport& report, const GlobalOptions& global);

// Every datastore of datastore.cfg, each into its own prefix of TARGET, as parallel jobs of this
// process sharing the host's budget: one report with a section per job, one exit code for all.
int command_sync_all(const SyncArgs& args, const GlobalOptions& global);

}  // namespace pbs::cli
