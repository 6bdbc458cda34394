#pragma once
// Checks of numeric option values that say what is expected in the tool's words ("a whole number
// from 1 to 36500, not 'abc'"), where CLI11's own Range says "Value abc not in range 1 to 36500"
// and prints 0.01 as 0.010000.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace pbs::cli {

CLI::Validator whole_number_in(std::int64_t min, std::int64_t max);
CLI::Validator number_in(double min, double max);

// CLI11 lists arguments it did not expect last first; this puts them back in command-line order.
std::string in_command_line_order(std::string message);

}  // namespace pbs::cli
