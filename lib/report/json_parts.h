#pragma once
// Pieces every JSON summary shares: request counts and the error list.

#include <nlohmann/json.hpp>

#include <vector>

#include "push/sync_summary.h"
#include "transfer/counters.h"

namespace pbs::report {

// {"total": N, "by-operation": {"PutObject": N, ...}}
nlohmann::ordered_json requests_json(const transfer::Counters& counters);
// [{"object": ..., "message": ...}, ...]
nlohmann::ordered_json errors_json(const std::vector<run::ObjectError>& errors);

}  // namespace pbs::report
