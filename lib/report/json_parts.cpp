#include "report/json_parts.h"

#include <fmt/format.h>

#include "bill/cost.h"
#include "report/human.h"

namespace pbs::report {

nlohmann::ordered_json requests_by_price_class(const transfer::Counters& counters) {
  nlohmann::ordered_json by_class = nlohmann::ordered_json::object();
  auto counts = bill::by_price_class(counters.requests);
  for (const char* cls : {"put-copy-post-list", "get-head", "delete", "retention"}) by_class[cls] = counts[cls];
  return by_class;
}

nlohmann::ordered_json requests_json(const transfer::Counters& counters) {
  nlohmann::ordered_json by_op = nlohmann::ordered_json::object();
  for (const auto& [op, n] : counters.requests) by_op[op] = n;
  return {{"total", counters.total_requests()},
          {"by-operation", by_op},
          {"by-price-class", requests_by_price_class(counters)},
          {"bytes-sent", counters.bytes_up},
          {"bytes-received", counters.bytes_down},
          {"hedges", {{"sent", counters.hedges}, {"won", counters.hedges_won},
                      {"replaced-waiting-seconds", counters.hedge_waited_seconds}}}};
}

nlohmann::ordered_json errors_json(const std::vector<run::ObjectError>& errors) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& e : errors) out.push_back({{"object", e.object}, {"message", e.message}});
  return out;
}

nlohmann::ordered_json host_budget_json(const transfer::Counters& c) {
  if (!c.host_jobs_peak) return nullptr;
  return {{"jobs-peak", c.host_jobs_peak},
          {"requests-in-flight", {{"min", c.share_in_flight_min}, {"max", c.share_in_flight_max}}},
          {"bytes-per-second", {{"min", c.share_bytes_min}, {"max", c.share_bytes_max}}}};
}

std::string transfer_notes_text(const transfer::Counters& c) {
  std::string hedges;
  if (c.hedges > 0) {
    hedges = fmt::format("hedged {} slow request(s) on fresh connections: {} answered first, replacing attempts that "
                         "had waited {} in all\n",
                         c.hedges, c.hedges_won, human_duration(c.hedge_waited_seconds));
  }
  if (c.host_jobs_peak < 2) return hedges;
  auto range = [](auto lo, auto hi, auto show) { return lo == hi ? show(hi) : show(lo) + "-" + show(hi); };
  std::string out = fmt::format("shared the host's budget with up to {} other job(s): {} requests in flight",
                                c.host_jobs_peak - 1,
                                range(c.share_in_flight_min, c.share_in_flight_max, [](unsigned v) { return std::to_string(v); }));
  if (c.share_bytes_max > 0) {
    out += ", " + range(c.share_bytes_min, c.share_bytes_max,
                        [](double v) { return human_bytes(std::uint64_t(v)); }) + "/s";
  }
  return out + "\n" + hedges;
}

}  // namespace pbs::report
