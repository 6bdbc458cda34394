#pragma once
// How a command's report reaches the user: its JSON document under --output json, else its text
// (which -q leaves out when the command succeeded).

#include <nlohmann/json.hpp>

#include <string>

#include "cli.h"
#include "report/progress_printer.h"
#include "util/error.h"

namespace pbs::cli {

void print_report(const GlobalOptions& global, const nlohmann::ordered_json& json, const std::string& text,
                  int exit_code);

// A command that could not run to its end: "pbs-s3sync: <message>" on stderr and, under --output
// json, its one JSON document ({"command", "exit-code", "error": {"kind", "message"}}). Returns
// the exit code.
int report_error(const GlobalOptions& global, const Error& error);
// The progress printer on stderr: none under -q, nor under --output json unless --progress always
// (a script reading the document may still want to watch).
report::ProgressPrinter progress_printer(const GlobalOptions& global);

// The "error" member of a failure's JSON document.
nlohmann::ordered_json error_json(const Error& error);

}  // namespace pbs::cli
