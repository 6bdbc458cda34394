#include "report/sync_printer.h"

#include <fmt/format.h>

#include "report/bill_printer.h"
#include "report/error_lines.h"
#include "report/human.h"
#include "report/json_parts.h"
#include "s3/request.h"

namespace pbs::report {

namespace {

// Requests in flight: the highest the window reached, and what held it there.
std::string parallelism_text(const push::SyncSummary& s) {
  const auto& c = s.counters;
  unsigned peak = c.peak_window ? c.peak_window : s.parallelism;
  const std::string& why = c.window_limit;
  if (why.empty() || why == "fixed") return fmt::format("{} ({})", peak, s.parallelism_source);
  std::string held = why == "ceiling"      ? "the ceiling"
                     : why == "throughput" ? "more stopped paying"
                     : why == "throttling" ? "the server throttled"
                                           : "still growing at the end";
  return fmt::format("up to {} of at most {} ({}; held by {})", peak, s.parallelism, s.parallelism_source, held);
}

// The limits the run was held to, as the tail of the "sent" line.
std::string limits_text(const push::SyncSummary& s) {
  std::string out;
  if (!s.bandwidth_timetable.empty()) {
    out += fmt::format(", bandwidth timetable \"{}\" (the rate changed {} time(s) during the run)", s.bandwidth_timetable,
                       s.counters.bandwidth_changes);
  } else if (s.bandwidth_limit) {
    out += fmt::format(", limit {}/s", human_bytes(s.bandwidth_limit));
  }
  if (s.requests_per_second > 0) out += fmt::format(", at most {:g} requests/s", s.requests_per_second);
  return out;
}

}  // namespace

using ojson = nlohmann::ordered_json;

namespace {

// What the run cost; dry, what the real one would: the dry run's own requests (it reads what the
// real run reads) and the uploads it planned.
bill::RunCost sync_cost(const push::SyncSummary& s) {
  if (!s.prices) return {};
  auto cost = counted_cost(*s.prices, s.counters);
  if (s.dry_run) cost.requests += double(s.planned_requests) / 1000 * s.prices->request("put-copy-post-list");
  return cost;
}

}  // namespace

std::string sync_text(const push::SyncSummary& s) {
  std::string out;
  out += fmt::format("{}sync {} -> {} ({})\n", s.dry_run ? "[dry run] " : "", s.datastore, s.target, s.mode);
  if (s.dry_run) {
    out += fmt::format("would upload {} objects, {}, in about {} requests; {} snapshot(s) to "
                       "complete, {} to update\n",
                       s.planned_objects, human_bytes(s.planned_bytes), s.planned_requests,
                       s.snapshots_uploaded, s.snapshots_updated);
  } else {
    out += fmt::format("snapshots: {} uploaded, {} updated, {} unchanged, {} failed", s.snapshots_uploaded,
                       s.snapshots_updated, s.snapshots_unchanged, s.snapshots_failed);
    if (s.snapshots_vanished) out += fmt::format(", {} vanished", s.snapshots_vanished);
    if (s.snapshots_removed) out += fmt::format(", {} removed", s.snapshots_removed);
    out += fmt::format(" (of {} in scope", s.snapshots_in_scope);
    if (s.snapshots_unfinished) out += fmt::format("; {} unfinished skipped", s.snapshots_unfinished);
    out += ")\n";
    std::string how = s.chunk_check == "list"              ? " (found by listing .chunks/)"
                      : s.chunk_check == "head"            ? " (those that may be stored asked for with HEAD)"
                      : s.chunk_check == "conditional-put" ? " (new chunks sent at once with If-None-Match)"
                      : s.chunk_check == "put"             ? " (new chunks sent at once: nothing says they are stored)"
                                                           : "";
    out += fmt::format("chunks: {} uploaded ({}), {} already stored{}\n", s.chunks_uploaded,
                       human_bytes(s.chunk_bytes_uploaded), s.chunks_present, how);
    out += fmt::format("files: {} uploaded ({}); {} objects deleted\n", s.files_uploaded,
                       human_bytes(s.file_bytes_uploaded), s.objects_deleted);
    if (s.logical_bytes) {
      out += fmt::format("logical data of new snapshots {}, dedup ratio {:.1f}\n",
                         human_bytes(s.logical_bytes), s.dedup_ratio());
    }
  }
  if (!s.key_fingerprint.empty()) {
    out += fmt::format("encryption: key {}; {} snapshot(s) encrypted, {} chunk(s) read to name them ({}), {} named "
                       "by remote indexes\n",
                       s.key_fingerprint, s.encrypted_snapshots, s.encrypt_chunks_read, human_bytes(s.encrypt_bytes_read),
                       s.encrypt_chunks_named);
  }
  if (!s.lock_mode.empty()) {
    out += fmt::format("object lock: {} for {} days, written objects locked until {}; what complete snapshots "
                       "need is locked until {}{}\n",
                       s.lock_mode, s.lock_days, s3::iso8601(s.lock_until),
                       s.retention_covered_until ? s3::iso8601(s.retention_covered_until) : "(unknown)",
                       s.retention_pass ? fmt::format(" ({} {} object(s) this run)", s.dry_run ? "would extend" : "extended",
                                                      s.retention_extended)
                                        : "");
  }
  std::string reqs;
  for (const auto& [op, n] : s.counters.requests) reqs += fmt::format("{}{} {}", reqs.empty() ? "" : ", ", op, n);
  out += fmt::format("requests: {} ({})\n", s.counters.total_requests(), reqs.empty() ? "none" : reqs);
  if (s.counters.total_requests()) {
    auto by_class = requests_by_price_class(s.counters);
    out += fmt::format("billed as: {} PUT/COPY/POST/LIST, {} GET/HEAD, {} DELETE (free on most), {} retention\n",
                       by_class["put-copy-post-list"].get<std::uint64_t>(), by_class["get-head"].get<std::uint64_t>(),
                       by_class["delete"].get<std::uint64_t>(), by_class["retention"].get<std::uint64_t>());
  }
  out += cost_text(s.prices, sync_cost(s), s.dry_run);
  if (s.dry_run) out += storage_text(s.prices, s.chunk_class, s.planned_bytes, "storage it adds");
  if (s.counters.total_retries() || s.counters.throttle_events) {
    std::string causes;
    for (const auto& [c, n] : s.counters.retries) causes += fmt::format("{}{} {}", causes.empty() ? "" : ", ", c, n);
    out += fmt::format("retries: {} ({}); throttled {} times\n", s.counters.total_retries(), causes,
                       s.counters.throttle_events);
  }
  if (s.counters.outages) {
    out += fmt::format("the endpoint was gone {} time(s), {} in all; the run waited and went on\n", s.counters.outages,
                       human_duration(s.counters.outage_seconds));
  }
  out += fmt::format("sent {} in {} ({}/s), parallelism {}{}\n", human_bytes(s.counters.bytes_up),
                     human_duration(s.duration), human_bytes(std::uint64_t(s.throughput())), parallelism_text(s),
                     limits_text(s));
  out += transfer_notes_text(s.counters);
  return out + closing_lines(s.notices, s.warnings, s.errors);
}

ojson sync_json(const push::SyncSummary& s, int exit_code) {
  ojson j;
  j["datastore"] = s.datastore;
  j["target"] = s.target;
  // A run refused before it began (its lock held, say) has no mode and no chunk check: null, not "".
  auto or_null = [](const std::string& v) { return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); };
  j["mode"] = or_null(s.mode);
  j["dry-run"] = s.dry_run;
  j["exit-code"] = exit_code;
  j["interrupted"] = s.outcome.stop == run::StopCause::interrupted;
  j["snapshots"] = {{"in-scope", s.snapshots_in_scope}, {"uploaded", s.snapshots_uploaded},
                    {"updated", s.snapshots_updated},   {"unchanged", s.snapshots_unchanged},
                    {"failed", s.snapshots_failed},     {"vanished", s.snapshots_vanished},
                    {"removed", s.snapshots_removed},   {"not-removed", s.snapshots_not_removed},
                    {"unfinished", s.snapshots_unfinished}};
  j["chunks"] = {{"checked", s.chunks_checked}, {"uploaded", s.chunks_uploaded},
                 {"present", s.chunks_present}, {"bytes-uploaded", s.chunk_bytes_uploaded},
                 {"check", or_null(s.chunk_check)}};
  j["files"] = {{"uploaded", s.files_uploaded}, {"bytes-uploaded", s.file_bytes_uploaded},
                {"deleted", s.objects_deleted}};
  j["versioned-bucket"] = s.versioned;
  if (!s.key_fingerprint.empty()) {
    j["encryption"] = {{"key-fingerprint", s.key_fingerprint},
                       {"snapshots-encrypted", s.encrypted_snapshots},
                       {"chunks-read", s.encrypt_chunks_read},
                       {"bytes-read", s.encrypt_bytes_read},
                       {"chunks-named-remotely", s.encrypt_chunks_named}};
  }
  if (!s.lock_mode.empty()) {
    j["object-lock"] = {{"mode", s.lock_mode},
                        {"days", s.lock_days},
                        {"retain-until", s.lock_until},
                        {"covered-until", s.retention_covered_until},
                        {"extension-pass", s.retention_pass},
                        {"extended", s.retention_extended},
                        {"extension-failures", s.retention_failures}};
  } else if (!s.lock_lapsed.empty()) {
    // The prefix was locked and this run did not lock: said apart from the warnings' text.
    j["object-lock"] = {{"mode", nullptr}, {"lapsed", s.lock_lapsed}, {"off-on-purpose", s.lock_off}};
  }
  j["logical-bytes"] = s.logical_bytes;
  j["dedup-ratio"] = s.dedup_ratio();
  if (s.dry_run) {
    j["plan"] = {{"objects", s.planned_objects}, {"bytes", s.planned_bytes}, {"requests", s.planned_requests},
                 {"storage-added", storage_json(s.prices, s.chunk_class, s.planned_bytes)}};
  }
  j["cost"] = cost_json(s.prices, sync_cost(s), s.dry_run);
  ojson retries = ojson::object();
  for (const auto& [c, n] : s.counters.retries) retries[c] = n;
  j["requests"] = requests_json(s.counters);
  j["retries"] = {{"total", s.counters.total_retries()}, {"by-cause", retries}};
  j["throttle-events"] = s.counters.throttle_events;
  j["outages"] = s.counters.outages;
  j["outage-seconds"] = s.counters.outage_seconds;
  j["bytes-sent"] = s.counters.bytes_up;
  j["bytes-received"] = s.counters.bytes_down;
  j["parallelism"] = {{"effective", s.counters.peak_window ? s.counters.peak_window : s.parallelism},
                      {"ceiling", s.parallelism},
                      {"source", s.parallelism_source},
                      {"limited-by", s.counters.window_limit}};
  j["bandwidth-limit"] = s.bandwidth_limit;
  if (!s.bandwidth_timetable.empty()) {
    j["bandwidth-timetable"] = {{"slots", s.bandwidth_timetable}, {"rate-changes", s.counters.bandwidth_changes}};
  }
  j["requests-per-second-limit"] = s.requests_per_second;
  j["host-budget"] = host_budget_json(s.counters);
  j["duration-seconds"] = s.duration;
  j["throughput-bytes-per-second"] = s.throughput();
  j["latency-seconds"] = {{"mean", s.counters.latency_mean()}, {"max", s.counters.latency_max}};
  j["errors"] = errors_json(s.errors);
  j["notices"] = s.notices;
  j["warnings"] = s.warnings;
  return j;
}

namespace {
// A Prometheus label value: backslash, double quote and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

std::string sync_metrics(const push::SyncSummary& s, int exit_code, std::int64_t finished,
                         std::optional<std::int64_t> last_success) {
  std::string labels = fmt::format("datastore=\"{}\",target=\"{}\"", label(s.datastore), label(s.target));
  std::string out;
  auto metric = [&](const char* name, const char* help, const char* type, double value,
                    const std::string& extra = "") {
    out += fmt::format("# HELP pbs_s3sync_{} {}\n# TYPE pbs_s3sync_{} {}\n", name, help, name, type);
    out += fmt::format("pbs_s3sync_{}{{{}{}}} {}\n", name, labels, extra, value);
  };
  metric("last_run_timestamp_seconds", "End of the last sync run.", "gauge", double(finished));
  if (last_success) {
    metric("last_success_timestamp_seconds", "End of the last successful sync run.", "gauge", double(*last_success));
  }
  metric("exit_code", "Exit code of the last run (0 ok, 1 partial, 2 usage, 3 locked, 4 refused).", "gauge", exit_code);
  metric("duration_seconds", "Duration of the last run.", "gauge", s.duration);
  metric("snapshots_uploaded", "Snapshots completed remotely by the last run.", "gauge", double(s.snapshots_uploaded));
  metric("snapshots_failed", "Snapshots the last run could not complete.", "gauge", double(s.snapshots_failed));
  metric("chunks_uploaded", "Chunks uploaded by the last run.", "gauge", double(s.chunks_uploaded));
  metric("bytes_sent", "Bytes sent by the last run.", "gauge", double(s.counters.bytes_up));
  metric("retries", "Retried requests in the last run.", "gauge", double(s.counters.total_retries()));
  metric("throttle_events", "Throttling answers in the last run.", "gauge", double(s.counters.throttle_events));
  metric("outage_seconds", "Seconds the endpoint answered no request in the last run.", "gauge", s.counters.outage_seconds);
  metric("object_lock_lapsed", "1 when the prefix's record says it is locked and the last run did not lock it (without "
         "OBJECT_LOCK=off).", "gauge", double(!s.lock_lapsed.empty() && !s.lock_off));
  metric("host_jobs", "Jobs that shared the host's budget at once during the last run, at most (0: none).", "gauge",
         double(s.counters.host_jobs_peak));
  metric("share_requests_in_flight", "Least share of MAX_WORKERS the last run had (0: no shared budget).", "gauge",
         double(s.counters.share_in_flight_min));
  out += "# HELP pbs_s3sync_requests Requests sent by the last run, by operation.\n"
         "# TYPE pbs_s3sync_requests gauge\n";
  for (const auto& [op, n] : s.counters.requests) {
    out += fmt::format("pbs_s3sync_requests{{{},operation=\"{}\"}} {}\n", labels, op, n);
  }
  out += "# HELP pbs_s3sync_requests_by_price_class Requests sent by the last run, by how providers bill them.\n"
         "# TYPE pbs_s3sync_requests_by_price_class gauge\n";
  auto by_class = requests_by_price_class(s.counters);  // items() of a temporary would dangle
  for (const auto& [cls, n] : by_class.items()) {
    out += fmt::format("pbs_s3sync_requests_by_price_class{{{},class=\"{}\"}} {}\n", labels, cls, n.get<std::uint64_t>());
  }
  metric("bytes_received", "Bytes received by the last run.", "gauge", double(s.counters.bytes_down));
  if (s.prices) {
    metric("cost", "What the last run cost at the target's price table (PRICES), in its currency.", "gauge",
           sync_cost(s).total());
  }
  return out;
}

}  // namespace pbs::report
