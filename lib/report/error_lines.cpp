#include "report/error_lines.h"

namespace pbs::report {

std::string error_lines(const std::vector<sync::ObjectError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += "error: ";
    if (!e.object.empty() && !e.message.starts_with(e.object + ":")) out += e.object + ": ";
    out += e.message + "\n";
  }
  return out;
}

}  // namespace pbs::report
