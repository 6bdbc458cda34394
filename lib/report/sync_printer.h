#pragma once
// The sync summary as text, JSON (schema in the man page) and Prometheus textfile metrics.

#include <nlohmann/json.hpp>

#include <string>

#include "sync/sync_summary.h"

namespace pbs::report {

std::string sync_text(const sync::SyncSummary& s);
nlohmann::ordered_json sync_json(const sync::SyncSummary& s, int exit_code);
// Prometheus text exposition format, for node_exporter's textfile collector.
std::string sync_metrics(const sync::SyncSummary& s, int exit_code, std::int64_t finished_epoch);

}  // namespace pbs::report
