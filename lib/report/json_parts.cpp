#include "report/json_parts.h"

namespace pbs::report {

nlohmann::ordered_json requests_json(const transfer::Counters& counters) {
  nlohmann::ordered_json by_op = nlohmann::ordered_json::object();
  for (const auto& [op, n] : counters.requests) by_op[op] = n;
  return {{"total", counters.total_requests()}, {"by-operation", by_op}};
}

nlohmann::ordered_json errors_json(const std::vector<run::ObjectError>& errors) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& e : errors) out.push_back({{"object", e.object}, {"message", e.message}});
  return out;
}

}  // namespace pbs::report
