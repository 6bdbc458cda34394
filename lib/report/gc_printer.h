#pragma once
// The gc summary as text and JSON.

#include <nlohmann/json.hpp>

#include <string>

#include "gc/gc_job.h"

namespace pbs::report {

std::string gc_text(const gc::GcSummary& s);
nlohmann::ordered_json gc_json(const gc::GcSummary& s, int exit_code);

}  // namespace pbs::report
