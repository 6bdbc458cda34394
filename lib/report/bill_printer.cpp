#include "report/bill_printer.h"

#include <fmt/format.h>

#include "report/human.h"

namespace pbs::report {

bill::RunCost counted_cost(const bill::PriceTable& t, const transfer::Counters& counters) {
  bill::RunCost c;
  c.requests = bill::requests_cost(t, bill::by_price_class(counters.requests));
  c.transfer_out = bill::transfer_out_cost(t, counters.bytes_down);
  return c;
}

nlohmann::ordered_json cost_json(const std::optional<bill::PriceTable>& t, const bill::RunCost& cost, bool estimate) {
  if (!t) return nullptr;
  return {{"prices", t->name},       {"currency", t->currency},         {"source", t->source},
          {"taken", t->taken},       {"estimate", estimate},            {"requests", cost.requests},
          {"transfer-out", cost.transfer_out}, {"retrieval", cost.retrieval}, {"total", cost.total()}};
}

std::string cost_text(const std::optional<bill::PriceTable>& t, const bill::RunCost& cost, bool estimate) {
  if (!t) return "";
  std::string parts = fmt::format("requests {}, data out {}", bill::money(*t, cost.requests), bill::money(*t, cost.transfer_out));
  if (cost.retrieval > 0) parts += ", archive retrieval " + bill::money(*t, cost.retrieval);
  return fmt::format("{}: {} ({}) at {}\n", estimate ? "estimated cost" : "cost", bill::money(*t, cost.total()), parts,
                     bill::describe(*t));
}

nlohmann::ordered_json storage_json(const std::optional<bill::PriceTable>& t, const std::string& storage_class,
                                    std::uint64_t bytes) {
  nlohmann::ordered_json j = {{"bytes", bytes}, {"class", storage_class.empty() ? "STANDARD" : storage_class}};
  j["per-month"] = t ? nlohmann::ordered_json(bill::storage_month_cost(*t, storage_class, bytes)) : nullptr;
  return j;
}

std::string storage_text(const std::optional<bill::PriceTable>& t, const std::string& storage_class,
                         std::uint64_t bytes, const std::string& what) {
  if (!t) return "";
  return fmt::format("{}: {} in {}, {} a month at {}\n", what, human_bytes(bytes),
                     storage_class.empty() ? "STANDARD" : storage_class,
                     bill::money(*t, bill::storage_month_cost(*t, storage_class, bytes)), bill::describe(*t));
}

}  // namespace pbs::report
