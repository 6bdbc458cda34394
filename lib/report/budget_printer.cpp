#include "report/budget_printer.h"

#include <fmt/format.h>

#include "report/human.h"

namespace pbs::report {

namespace {

std::string rate_text(double bytes_per_second) {
  return bytes_per_second > 0 ? human_bytes(std::uint64_t(bytes_per_second)) + "/s" : "no limit";
}

std::string limits_text(const transfer::HostLimits& l) {
  return fmt::format("{} requests in flight, {}, {}",
                     l.max_in_flight ? std::to_string(l.max_in_flight) : std::string("no limit on"),
                     rate_text(l.bytes_per_second),
                     l.requests_per_second > 0 ? fmt::format("{:g} requests/s", l.requests_per_second)
                                               : std::string("no request cap"));
}

}  // namespace

std::string budget_text(const transfer::BudgetView& view) {
  if (view.jobs.empty()) return "host budget: no job running\n";
  std::string out = fmt::format("host budget: {}; {} job(s) running\n", limits_text(view.limits), view.jobs.size());
  for (const auto& j : view.jobs) {
    out += fmt::format("  PID {} {}: weight {}, {} in flight (share {}), {} moving (share {}){}\n", j.pid, j.name,
                       j.weight, j.in_flight, j.share.in_flight ? std::to_string(j.share.in_flight) : "all",
                       rate_text(j.bytes_per_second), rate_text(j.share.bytes_per_second),
                       j.active ? "" : ", idle");
  }
  return out;
}

nlohmann::ordered_json budget_json(const transfer::BudgetView& view) {
  nlohmann::ordered_json jobs = nlohmann::ordered_json::array();
  for (const auto& j : view.jobs) {
    jobs.push_back({{"pid", j.pid},
                    {"job", j.name},
                    {"weight", j.weight},
                    {"active", j.active},
                    {"requests-in-flight", j.in_flight},
                    {"bytes-per-second", j.bytes_per_second},
                    {"started", j.started},
                    {"share", {{"requests-in-flight", j.share.in_flight},
                               {"bytes-per-second", j.share.bytes_per_second},
                               {"requests-per-second", j.share.requests_per_second}}}});
  }
  return {{"limits", {{"requests-in-flight", view.limits.max_in_flight},
                      {"bytes-per-second", view.limits.bytes_per_second},
                      {"requests-per-second", view.limits.requests_per_second}}},
          {"jobs", jobs}};
}

}  // namespace pbs::report
