#include "bill/cost.h"

#include <fmt/core.h>

#include "s3/request.h"

namespace pbs::bill {

namespace {
constexpr double kGB = 1e9;  // providers bill decimal GB
}

std::map<std::string, std::uint64_t> by_price_class(const std::map<std::string, std::uint64_t>& by_operation) {
  std::map<std::string, std::uint64_t> out{{"put-copy-post-list", 0}, {"get-head", 0}, {"delete", 0}, {"retention", 0}};
  for (const auto& [op, n] : by_operation) out[std::string(s3::price_class(op))] += n;
  return out;
}

double requests_cost(const PriceTable& t, const std::map<std::string, std::uint64_t>& by_price_class) {
  double sum = 0;
  for (const auto& [cls, n] : by_price_class) sum += double(n) / 1000 * t.request(cls);
  return sum;
}

double transfer_out_cost(const PriceTable& t, std::uint64_t bytes_received) { return double(bytes_received) / kGB * t.egress_gb; }

double retrieval_cost(const PriceTable& t, const std::string& storage_class, const std::string& tier,
                      std::uint64_t objects, std::uint64_t bytes) {
  auto r = t.retrieval_of(storage_class, tier);
  if (!r) return 0;
  return double(bytes) / kGB * r->per_gb + double(objects) / 1000 * r->per_1000;
}

double storage_month_cost(const PriceTable& t, const std::string& storage_class, std::uint64_t bytes) {
  return double(bytes) / kGB * t.storage(storage_class);
}

double early_deletion_cost(const PriceTable& t, const std::map<std::string, double>& byte_days_by_class) {
  double sum = 0;
  for (const auto& [cls, byte_days] : byte_days_by_class) sum += byte_days / kGB / 30 * t.storage(cls);
  return sum;
}

std::string money(const PriceTable& t, double amount) {
  std::string figure = amount < 10 ? fmt::format("{:.4f}", amount) : fmt::format("{:.2f}", amount);
  return t.currency == "USD" ? "$" + figure : t.currency + " " + figure;
}

std::string describe(const PriceTable& t) {
  return fmt::format("{} prices of {}", t.name, t.taken);
}

}  // namespace pbs::bill
