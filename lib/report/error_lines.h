#pragma once

#include <string>
#include <vector>

#include "sync/sync_summary.h"

namespace pbs::report {

// "error: <object>: <message>" per error; the object is left out when the message already starts
// with it (errors from the file layer name their file themselves).
std::string error_lines(const std::vector<sync::ObjectError>& errors);

}  // namespace pbs::report
