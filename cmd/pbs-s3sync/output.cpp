#include "output.h"

#include <fmt/core.h>

#include "exit_code.h"
#include "report/printable.h"

namespace pbs::cli {

void print_report(const GlobalOptions& global, const nlohmann::ordered_json& json, const std::string& text,
                  int exit_code) {
  std::FILE* out = global.report_on_stderr ? stderr : stdout;
  if (global.output == OutputFormat::json) {
    fmt::print(out, "{}\n", json.dump(2));
  } else if (global.verbosity >= 0 || exit_code != 0) {
    fmt::print(out, "{}", text);
  }
}

nlohmann::ordered_json error_json(const Error& error) {
  return {{"kind", std::string(errc_name(error.code()))}, {"message", error.message()}};
}

int report_error(const GlobalOptions& global, const Error& error) {
  fmt::print(stderr, "pbs-s3sync: {}\n", printable(error.message()));
  int code = exit_code_for(error);
  if (global.output == OutputFormat::json) {
    nlohmann::ordered_json j{{"command", global.command}, {"exit-code", code}, {"error", error_json(error)}};
    fmt::print(global.report_on_stderr ? stderr : stdout, "{}\n", j.dump(2));
  }
  return code;
}

report::ProgressPrinter progress_printer(const GlobalOptions& global) {
  using Mode = report::ProgressPrinter::Mode;
  bool quiet = global.verbosity < 0 || (global.output == OutputFormat::json && global.progress != "always");
  return report::ProgressPrinter(quiet ? Mode::off : report::ProgressPrinter::choose(global.progress, stderr), stderr);
}

}  // namespace pbs::cli
