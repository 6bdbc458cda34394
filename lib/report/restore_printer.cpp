#include "report/restore_printer.h"

#include <fmt/format.h>

#include "report/bill_printer.h"
#include "report/error_lines.h"
#include "report/human.h"
#include "report/json_parts.h"
#include "report/thaw_printer.h"

namespace pbs::report {

namespace {

// Requests, bytes out, and the archive retrievals asked for (or, dry, that would be).
bill::RunCost restore_cost(const restore::RestoreSummary& s) {
  if (!s.prices) return {};
  auto cost = counted_cost(*s.prices, s.counters);
  cost.retrieval = retrieval_cost(*s.prices, s.thaw);
  return cost;
}

}  // namespace

std::string restore_text(const restore::RestoreSummary& s) {
  std::string out = fmt::format("restore {} -> {}{}\n", s.target, s.datastore, s.created ? " (created)" : "");
  out += fmt::format("snapshots: {} restored, {} already present, {} failed{} (of {} selected)\n",
                     s.snapshots_restored, s.snapshots_present, s.snapshots_failed,
                     s.snapshots_waiting ? fmt::format(", {} waiting for archived chunks", s.snapshots_waiting) : "",
                     s.snapshots_selected);
  out += fmt::format("chunks: {} fetched ({}), {} already present; {} files written\n", s.chunks_fetched,
                     human_bytes(s.chunk_bytes), s.chunks_present, s.files_written);
  out += fmt::format("requests: {}, received {} in {}\n", s.counters.total_requests(),
                     human_bytes(s.counters.bytes_down), human_duration(s.duration));
  out += transfer_notes_text(s.counters);
  if (s.thaw) {
    out += thaw_text(*s.thaw, s.dry_run, "restore",
                     s.snapshots_waiting ? std::to_string(s.snapshots_waiting) + " snapshots" : "");
  }
  out += cost_text(s.prices, restore_cost(s), s.dry_run);
  return out + closing_lines(s.notices, {}, s.errors);
}

nlohmann::ordered_json restore_json(const restore::RestoreSummary& s, int exit_code) {
  nlohmann::ordered_json j;
  j["target"] = s.target;
  j["datastore"] = s.datastore;
  j["created"] = s.created;
  j["exit-code"] = exit_code;
  j["interrupted"] = s.outcome.stop == run::StopCause::interrupted;
  j["snapshots"] = {{"selected", s.snapshots_selected}, {"restored", s.snapshots_restored},
                    {"present", s.snapshots_present}, {"failed", s.snapshots_failed},
                    {"waiting", s.snapshots_waiting}};
  j["chunks"] = {{"fetched", s.chunks_fetched}, {"present", s.chunks_present}, {"bytes", s.chunk_bytes}};
  j["files-written"] = s.files_written;
  j["archived"] = thaw_json(s.thaw, s.dry_run);
  j["requests"] = requests_json(s.counters);
  j["host-budget"] = host_budget_json(s.counters);
  j["retries"] = s.counters.total_retries();
  j["outages"] = s.counters.outages;
  j["outage-seconds"] = s.counters.outage_seconds;
  j["bytes-received"] = s.counters.bytes_down;
  j["duration-seconds"] = s.duration;
  j["cost"] = cost_json(s.prices, restore_cost(s), s.dry_run);
  j["errors"] = errors_json(s.errors);
  j["notices"] = s.notices;
  return j;
}

}  // namespace pbs::report
