#include "option_checks.h"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace pbs::cli {

namespace {
std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(std::int64_t(v));
  return fmt::format("{}", v);
}
}  // namespace

CLI::Validator whole_number_in(std::int64_t min, std::int64_t max) {
  std::string want = fmt::format("a whole number from {} to {}", min, max);
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        errno = 0;
        char* end = nullptr;
        long long n = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || errno == ERANGE || n < min || n > max) {
          return "must be " + want + ", not '" + value + "'";
        }
        return {};
      },
      want.substr(std::string("a whole number ").size()));
}

CLI::Validator number_in(double min, double max) {
  std::string want = "a number from " + number_text(min) + " to " + number_text(max);
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        char* end = nullptr;
        double d = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !std::isfinite(d) || d < min || d > max) {
          return "must be " + want + ", not '" + value + "'";
        }
        return {};
      },
      want.substr(std::string("a number ").size()));
}

std::string in_command_line_order(std::string message) {
  static const std::string kLead = "The following arguments were not expected: ";
  if (!message.starts_with(kLead)) return message;
  std::istringstream words(message.substr(kLead.size()));
  std::vector<std::string> args;
  for (std::string w; words >> w;) args.push_back(w);
  std::string out = "unexpected arguments:";
  for (auto it = args.rbegin(); it != args.rend(); ++it) out += " " + *it;
  return out;
}

}  // namespace pbs::cli
