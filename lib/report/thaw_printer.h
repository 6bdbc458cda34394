#pragma once
// The archived chunks a restore or an extract needed (thaw_request.h): how many, what was asked
// for at which tier, how long the tier takes, what is still waiting; text and JSON, and what the
// retrievals cost at a price table.

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bill/price_table.h"
#include "thaw/thaw_request.h"

namespace pbs::report {

// `waiting_for`: what needs the chunks still waiting ("3 snapshots"), "" when unknown.
std::string thaw_text(const thaw::ThawSummary& t, bool dry_run, const std::string& command, const std::string& waiting_for);
// null without archived chunks.
nlohmann::ordered_json thaw_json(const std::optional<thaw::ThawSummary>& t, bool dry_run);
double retrieval_cost(const bill::PriceTable& prices, const std::optional<thaw::ThawSummary>& t);

}  // namespace pbs::report
