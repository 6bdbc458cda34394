#pragma once
// The bill beside every report: what a run cost (or, dry, would cost) at the target's price table,
// what a prefix costs a month to keep; in text and JSON, naming the table and its source. Without
// a table (no PRICES, an endpoint no preset names) JSON has null and the text says nothing.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bill/cost.h"
#include "bill/price_table.h"
#include "transfer/counters.h"

namespace pbs::report {

// Requests and bytes out of the provider, as counted.
bill::RunCost counted_cost(const bill::PriceTable& t, const transfer::Counters& counters);

nlohmann::ordered_json cost_json(const std::optional<bill::PriceTable>& t, const bill::RunCost& cost, bool estimate);
// "cost: $0.0012 (requests $0.0012, data out $0.0000) at aws prices (...)\n"; "" without a table.
std::string cost_text(const std::optional<bill::PriceTable>& t, const bill::RunCost& cost, bool estimate);
// Storage a month of `bytes` in `storage_class`: {"bytes", "class", "per-month"}.
nlohmann::ordered_json storage_json(const std::optional<bill::PriceTable>& t, const std::string& storage_class,
                                    std::uint64_t bytes);
std::string storage_text(const std::optional<bill::PriceTable>& t, const std::string& storage_class,
                         std::uint64_t bytes, const std::string& what);

}  // namespace pbs::report
