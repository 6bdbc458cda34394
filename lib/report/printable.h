#pragma once
// Text from outside (object keys, file names, server messages) made safe for one output line:
// control bytes (a newline in a key, an escape sequence) become \xNN, so one error stays one line
// and cannot move the terminal's cursor.

#include <string>
#include <string_view>

namespace pbs {

std::string printable(std::string_view text);

}  // namespace pbs
