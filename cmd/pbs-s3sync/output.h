#pragma once
// How a command's report reaches the user: its JSON document under --output json, else its text
// (which -q leaves out when the command succeeded).

#include <nlohmann/json.hpp>

#include <string>

#include "cli.h"

namespace pbs::cli {

void print_report(const GlobalOptions& global, const nlohmann::ordered_json& json, const std::string& text,
                  int exit_code);

}  // namespace pbs::cli
