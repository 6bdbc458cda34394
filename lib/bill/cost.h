#pragma once
// What a run cost, or would cost, at a price table: its requests by price class, the bytes it
// brought out of the provider, the archive retrievals it asked for; and what a prefix costs a
// month to keep. Pure arithmetic on counts.

#include <cstdint>
#include <map>
#include <string>

#include "bill/price_table.h"

namespace pbs::bill {

struct RunCost {
  double requests = 0;
  double transfer_out = 0;
  double retrieval = 0;
  double total() const { return requests + transfer_out + retrieval; }
};

// Requests counted by operation (op_name) counted again by s3::price_class, every class present.
std::map<std::string, std::uint64_t> by_price_class(const std::map<std::string, std::uint64_t>& by_operation);
// `by_price_class`: requests counted by s3::price_class.
double requests_cost(const PriceTable& t, const std::map<std::string, std::uint64_t>& by_price_class);
double transfer_out_cost(const PriceTable& t, std::uint64_t bytes_received);
// Archived objects asked for (RestoreObject): per GB and per thousand requests of the class and tier.
double retrieval_cost(const PriceTable& t, const std::string& storage_class, const std::string& tier,
                      std::uint64_t objects, std::uint64_t bytes);
double storage_month_cost(const PriceTable& t, const std::string& storage_class, std::uint64_t bytes);
// What deleting objects before their minimum duration would still bill: bytes x days left, by class
// (a month taken as 30 days, as AWS prorates).
double early_deletion_cost(const PriceTable& t, const std::map<std::string, double>& byte_days_by_class);

// "$0.0123", "EUR 1.20": small sums keep four decimals, larger ones two.
std::string money(const PriceTable& t, double amount);
// "aws prices of 2026-12-07": which table a figure comes from (its source is in the JSON and the man page).
std::string describe(const PriceTable& t);

}  // namespace pbs::bill
