#include "report/verify_printer.h"

#include <fmt/format.h>

#include "report/error_lines.h"
#include "report/human.h"
#include "report/printable.h"

namespace pbs::report {

using ojson = nlohmann::ordered_json;

std::string verify_text(const datastore::LocalVerifyReport& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += fmt::format("{}: {}", printable(p.path), printable(p.message));
    if (!p.snapshots.empty()) {
      out += fmt::format(" (used by {})", fmt::join(p.snapshots, ", "));
    }
    out += '\n';
  }
  out += fmt::format("{} of {} snapshots ok, {} of {} chunks ok ({} read)\n", r.snapshots_ok,
                     r.snapshots, r.chunks - r.chunks_bad, r.chunks, human_bytes(r.chunk_bytes));
  return out;
}

ojson verify_json(const datastore::LocalVerifyReport& r) {
  ojson doc;
  doc["ok"] = r.ok();
  doc["snapshots"] = r.snapshots;
  doc["snapshots-ok"] = r.snapshots_ok;
  doc["chunks"] = r.chunks;
  doc["chunks-bad"] = r.chunks_bad;
  doc["chunk-bytes"] = r.chunk_bytes;
  ojson problems = ojson::array();
  for (const auto& p : r.problems) {
    problems.push_back(ojson{{"path", p.path}, {"message", p.message}, {"snapshots", p.snapshots}});
  }
  doc["problems"] = std::move(problems);
  return doc;
}

std::string remote_verify_text(const check::RemoteVerifySummary& s) {
  std::string out;
  for (const auto& f : s.failed) {
    out += fmt::format("{}: INCOMPLETE\n", f.snapshot);
    for (const auto& p : f.problems) out += fmt::format("  {}\n", printable(p));
  }
  out += fmt::format("{}: {} of {} snapshots complete", s.target, s.snapshots_ok, s.snapshots);
  if (s.snapshots_unfinished) out += fmt::format(" ({} without manifest ignored)", s.snapshots_unfinished);
  out += fmt::format("; {} chunks referenced, {} listed, {} missing", s.chunks_referenced, s.chunks_listed,
                     s.chunks_missing);
  if (s.chunks_downloaded) out += fmt::format("; {} downloaded and checked, {} damaged", s.chunks_downloaded, s.chunks_bad);
  if (s.chunks_archived) {
    out += fmt::format("; {} in an archive class not downloaded (listed: present; --restore-tier makes them readable "
                       "to check)", s.chunks_archived);
  }
  if (s.chunks_decrypted) out += fmt::format("; {} decrypted and found named by their plaintext", s.chunks_decrypted);
  out += fmt::format("; {} requests in {}\n", s.counters.total_requests(), human_duration(s.duration));
  if (s.thaw) out += thaw_text(*s.thaw, false, "verify", "");
  return out + closing_lines({}, s.warnings, s.errors);
}

ojson remote_verify_json(const check::RemoteVerifySummary& s) {
  ojson j;
  j["target"] = s.target;
  j["ok"] = s.ok();
  j["snapshots"] = s.snapshots;
  j["snapshots-ok"] = s.snapshots_ok;
  j["snapshots-unfinished"] = s.snapshots_unfinished;
  j["chunks-referenced"] = s.chunks_referenced;
  j["chunks-listed"] = s.chunks_listed;
  j["chunks-missing"] = s.chunks_missing;
  j["chunks-downloaded"] = s.chunks_downloaded;
  j["chunks-bad"] = s.chunks_bad;
  j["chunks-archived"] = s.chunks_archived;
  j["archived"] = thaw_json(s.thaw, false);
  j["errors"] = errors_json(s.errors);
  j["chunks-decrypted"] = s.chunks_decrypted;
  ojson failed = ojson::array();
  for (const auto& f : s.failed) failed.push_back({{"snapshot", f.snapshot}, {"problems", f.problems}});
  j["failed"] = failed;
  j["warnings"] = s.warnings;
  j["requests"] = s.counters.total_requests();
  j["duration-seconds"] = s.duration;
  return j;
}

}  // namespace pbs::report
