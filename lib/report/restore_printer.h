#pragma once
// The restore summary as text and JSON.

#include <nlohmann/json.hpp>

#include <string>

#include "restore/restore_job.h"

namespace pbs::report {

std::string restore_text(const restore::RestoreSummary& s);
nlohmann::ordered_json restore_json(const restore::RestoreSummary& s, int exit_code);

}  // namespace pbs::report
