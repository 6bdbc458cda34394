#pragma once
// Pieces every JSON summary shares: request counts and the error list.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "push/sync_summary.h"
#include "transfer/counters.h"

namespace pbs::report {

// {"total": N, "by-operation": {"PutObject": N, ...}, "hedges": {"sent", "won", "replaced-waiting-seconds"}}
// The requests a run sent, by operation and by how providers bill them (s3::price_class), and
// the bytes sent and received.
nlohmann::ordered_json requests_json(const transfer::Counters& counters);
nlohmann::ordered_json requests_by_price_class(const transfer::Counters& counters);
// [{"object": ..., "message": ...}, ...]
nlohmann::ordered_json errors_json(const std::vector<run::ObjectError>& errors);
// The host's budget while the run transferred: {"jobs-peak": N, "requests-in-flight": {"min", "max"},
// "bytes-per-second": {"min", "max"}}; null when the run had the host to itself by its own limits.
nlohmann::ordered_json host_budget_json(const transfer::Counters& counters);
// What the engine did beyond the requests themselves, a line each, or "": "shared the host's
// budget with up to N other job(s): 2-6 requests in flight, 1.0-3.0 MB/s", and the hedges sent.
std::string transfer_notes_text(const transfer::Counters& counters);

}  // namespace pbs::report
