#include "output.h"

#include <fmt/core.h>

namespace pbs::cli {

void print_report(const GlobalOptions& global, const nlohmann::ordered_json& json, const std::string& text,
                  int exit_code) {
  if (global.output == OutputFormat::json) {
    fmt::print("{}\n", json.dump(2));
  } else if (global.verbosity >= 0 || exit_code != 0) {
    fmt::print("{}", text);
  }
}

}  // namespace pbs::cli
