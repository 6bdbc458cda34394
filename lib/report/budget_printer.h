#pragma once
// The host's budget as `status` shows it: the limits in force and every running job's share.

#include <nlohmann/json.hpp>

#include <string>

#include "transfer/host_budget.h"

namespace pbs::report {

std::string budget_text(const transfer::BudgetView& view);
nlohmann::ordered_json budget_json(const transfer::BudgetView& view);

}  // namespace pbs::report
