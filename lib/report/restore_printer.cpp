#include "report/restore_printer.h"

#include <fmt/format.h>

#include "report/bill_printer.h"
#include "report/error_lines.h"
#include "report/human.h"
#include "report/json_parts.h"

namespace pbs::report {

namespace {

// Requests, bytes out, and the archive retrievals asked for (or, dry, that would be).
bill::RunCost restore_cost(const restore::RestoreSummary& s) {
  if (!s.prices) return {};
  auto cost = counted_cost(*s.prices, s.counters);
  if (s.thaw) {
    cost.retrieval = bill::retrieval_cost(*s.prices, s.thaw->storage_class, std::string(thaw::tier_name(s.thaw->tier)),
                                          s.thaw->asked, s.thaw->bytes_asked);
  }
  return cost;
}

const char* dry_run_key(bool dry_run) { return dry_run ? "would-ask" : "asked"; }

std::string expected_time(const thaw::ThawSummary& t) {
  auto time = thaw::tier_time(t.storage_class, t.tier);
  return time ? thaw::describe(*time) : "unknown";
}

std::string thaw_text(const thaw::ThawSummary& t, bool dry_run, std::size_t snapshots_waiting) {
  std::string out = fmt::format("archived chunks ({}): {} needed, {} {} ({}, {} retrieval: {}, readable for {} days), "
                                "{} asked for earlier, {} readable\n",
                                t.storage_class.empty() ? "archive class" : t.storage_class, t.needed, t.asked,
                                dry_run ? "would be asked for" : "asked for now", human_bytes(t.bytes_asked),
                                thaw::tier_name(t.tier), expected_time(t), t.days, t.ongoing, t.readable);
  if (t.waited_seconds > 0) out += fmt::format("waited {} for them\n", human_duration(t.waited_seconds));
  if (t.waiting > 0 && !dry_run) {
    out += fmt::format("waiting: {} chunks not readable yet{}; run the same restore again once they are (expected: {})\n",
                       t.waiting, snapshots_waiting ? fmt::format(" ({} snapshots need them)", snapshots_waiting) : "",
                       expected_time(t));
  }
  return out;
}

}  // namespace

std::string restore_text(const restore::RestoreSummary& s) {
  std::string out = fmt::format("restore {} -> {}{}\n", s.target, s.datastore, s.created ? " (created)" : "");
  out += fmt::format("snapshots: {} restored, {} already present, {} failed (of {} selected)\n",
                     s.snapshots_restored, s.snapshots_present, s.snapshots_failed, s.snapshots_selected);
  out += fmt::format("chunks: {} fetched ({}), {} already present; {} files written\n", s.chunks_fetched,
                     human_bytes(s.chunk_bytes), s.chunks_present, s.files_written);
  out += fmt::format("requests: {}, received {} in {}\n", s.counters.total_requests(),
                     human_bytes(s.counters.bytes_down), human_duration(s.duration));
  out += transfer_notes_text(s.counters);
  if (s.thaw) out += thaw_text(*s.thaw, s.dry_run, s.snapshots_waiting);
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
  if (s.thaw) {
    const auto& t = *s.thaw;
    j["archived"] = {{"storage-class", t.storage_class}, {"tier", thaw::tier_name(t.tier)}, {"days", t.days},
                     {"expected", expected_time(t)}, {"needed", t.needed}, {"readable", t.readable},
                     {"asked-earlier", t.ongoing}, {dry_run_key(s.dry_run), t.asked}, {"bytes-asked", t.bytes_asked},
                     {"waiting", t.waiting}, {"waited-seconds", t.waited_seconds}};
  } else {
    j["archived"] = nullptr;
  }
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
