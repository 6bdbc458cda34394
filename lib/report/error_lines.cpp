#include "report/error_lines.h"

#include "report/printable.h"

namespace pbs::report {

std::string error_lines(const std::vector<run::ObjectError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += "error: ";
    if (!e.object.empty() && !e.message.starts_with(e.object + ":")) out += printable(e.object) + ": ";
    out += printable(e.message) + "\n";
  }
  return out;
}

std::string closing_lines(const std::vector<std::string>& notices, const std::vector<std::string>& warnings,
                          const std::vector<run::ObjectError>& errors) {
  std::string out;
  for (const auto& n : notices) out += "notice: " + printable(n) + "\n";
  for (const auto& w : warnings) out += "warning: " + printable(w) + "\n";
  return out + error_lines(errors);
}

}  // namespace pbs::report
