#pragma once
// The extract summary as text and JSON.

#include <nlohmann/json.hpp>

#include <string>

#include "extract/extract_summary.h"
#include "extract/snapshot_files.h"

namespace pbs::report {

std::string extract_text(const extract::ExtractSummary& s);
nlohmann::ordered_json extract_json(const extract::ExtractSummary& s, int exit_code);

// `list --snapshot`: the archives of one snapshot, each with its kind, size and encryption.
std::string archives_text(const extract::SnapshotFiles& snap, const std::string& target);
nlohmann::ordered_json archives_json(const extract::SnapshotFiles& snap, const std::string& target);

}  // namespace pbs::report
