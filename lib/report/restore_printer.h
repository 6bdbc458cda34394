#pragma once
// The restore summary as text and JSON.

#include <nlohmann/json.hpp>

#include <string>

#include "sync/restore_job.h"

namespace pbs::report {

std::string restore_text(const sync::RestoreSummary& s);
nlohmann::ordered_json restore_json(const sync::RestoreSummary& s, int exit_code);

}  // namespace pbs::report
