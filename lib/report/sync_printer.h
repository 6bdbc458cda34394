#pragma once
// The sync summary as text, JSON (schema in the man page) and Prometheus textfile metrics.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "push/sync_summary.h"

namespace pbs::report {

std::string sync_text(const push::SyncSummary& s);
nlohmann::ordered_json sync_json(const push::SyncSummary& s, int exit_code);
// Prometheus text exposition format, for node_exporter's textfile collector.
// `last_success`: when the last successful run ended (this one, or one recorded before), if known.
std::string sync_metrics(const push::SyncSummary& s, int exit_code, std::int64_t finished_epoch,
                         std::optional<std::int64_t> last_success);

}  // namespace pbs::report
