#pragma once
// Epoch seconds as UTC text, in a strftime format (backup times, HTTP dates, ISO 8601 stamps).

#include <cstdint>
#include <string>

namespace pbs {

std::string format_utc(std::int64_t epoch, const char* strftime_format);

}  // namespace pbs
