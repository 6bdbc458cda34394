#pragma once

#include <string>
#include <vector>

#include "run/run_outcome.h"

namespace pbs::report {

// "error: <object>: <message>" per error; the object is left out when the message already starts
// with it (errors from the file layer name their file themselves).
std::string error_lines(const std::vector<run::ObjectError>& errors);
// "notice: ...", then "warning: ..." lines, then error_lines(): how every summary ends.
std::string closing_lines(const std::vector<std::string>& notices, const std::vector<std::string>& warnings,
                          const std::vector<run::ObjectError>& errors);

}  // namespace pbs::report
