#pragma once
// Options shared by every command, and the command table.

#include <optional>
#include <string>

namespace pbs::cli {

enum class OutputFormat { text, json };

struct GlobalOptions {
  std::string config_file = "/etc/pbs.conf";
  bool config_given = false;  // --config: the file must exist
  std::optional<unsigned> parallelism;
  std::optional<std::string> bandwidth_limit;  // a rate or a timetable (given empty: refused)
  std::optional<double> tps_limit;
  std::optional<unsigned> weight;  // a job's share of the host's budget against the others' (WEIGHT)
  bool dry_run = false;
  OutputFormat output = OutputFormat::text;
  std::string progress = "auto";
  std::string metrics_file;
  int verbosity = 0;  // -v: +1, -q: -1
  std::string lock_file;
  std::optional<std::string> max_outage;  // a duration; none: MAX_OUTAGE, else the default
  std::string command_line;  // recorded in the lock file
  std::string command;       // the subcommand running ("sync", "config check"), for JSON errors
  bool report_on_stderr = false;  // standard output carries data (extract to "-"): reports go to stderr
};

// Parses argv and runs the command; returns the process exit code.
int run(int argc, char** argv);

}  // namespace pbs::cli
