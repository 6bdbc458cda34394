#include "report/extract_printer.h"

#include <fmt/format.h>

#include "report/error_lines.h"
#include "report/human.h"
#include "report/json_parts.h"
#include "report/thaw_printer.h"

namespace pbs::report {

std::string extract_text(const extract::ExtractSummary& s) {
  std::string output = s.output == "-" ? "standard output" : s.output;
  std::string out = fmt::format("extract {} {} {} -> {}{}\n", s.target, s.snapshot, s.archive, output,
                                s.complete ? "" : " (incomplete)");
  out += fmt::format("{}{}: {}{}\n", s.format, s.encrypted ? ", encrypted" : "", human_bytes(s.size),
                     s.resumed ? ", continued from an earlier run" : "");
  if (s.chunks > 0) {
    out += fmt::format("chunks: {} fetched ({}), {} zero (not fetched), {} already in place, {} repeated (of {})\n",
                       s.chunks_fetched, human_bytes(s.bytes_fetched), s.zero_chunks, s.chunks_in_place,
                       s.chunks_repeated, s.chunks);
  }
  double rate = s.duration > 0 ? double(s.bytes_written) / s.duration : 0;
  out += fmt::format("written: {} ({}/s); requests: {}, received {} in {}\n", human_bytes(s.bytes_written),
                     human_bytes(std::uint64_t(rate)), s.counters.total_requests(), human_bytes(s.counters.bytes_down),
                     human_duration(s.duration));
  out += transfer_notes_text(s.counters);
  if (s.thaw) out += thaw_text(*s.thaw, s.dry_run, "extract", "");
  return out + closing_lines(s.notices, {}, s.errors);
}

nlohmann::ordered_json extract_json(const extract::ExtractSummary& s, int exit_code) {
  nlohmann::ordered_json j;
  j["target"] = s.target;
  j["snapshot"] = s.snapshot;
  j["archive"] = s.archive;
  j["format"] = s.format;
  j["output"] = s.output;
  j["exit-code"] = exit_code;
  j["complete"] = s.complete;
  j["interrupted"] = s.outcome.stop == run::StopCause::interrupted;
  j["resumed"] = s.resumed;
  j["encrypted"] = s.encrypted;
  j["size"] = s.size;
  j["chunks"] = {{"total", s.chunks},           {"fetched", s.chunks_fetched}, {"zero", s.zero_chunks},
                 {"in-place", s.chunks_in_place}, {"repeated", s.chunks_repeated}, {"bytes", s.bytes_fetched}};
  j["bytes-written"] = s.bytes_written;
  j["requests"] = requests_json(s.counters);
  j["host-budget"] = host_budget_json(s.counters);
  j["retries"] = s.counters.total_retries();
  j["bytes-received"] = s.counters.bytes_down;
  j["duration-seconds"] = s.duration;
  j["archived"] = thaw_json(s.thaw, s.dry_run);
  j["errors"] = errors_json(s.errors);
  j["notices"] = s.notices;
  return j;
}

namespace {

// What an archive is and how large, as the manifest says (an index: the data it describes).
std::pair<std::string, std::string> archive_kind(const datastore::ManifestFile& f) {
  auto kind = datastore::snapshot_file_kind(f.filename);
  if (kind == datastore::FileKind::fixed_index) return {"disk image", "image size"};
  if (kind == datastore::FileKind::dynamic_index) return {"archive stream", "stream size"};
  return {"blob", "stored size"};
}

}  // namespace

std::string archives_text(const extract::SnapshotFiles& snap, const std::string& target) {
  std::string out = fmt::format("{} {}\n", target, snap.name());
  for (const auto& f : snap.manifest.files) {
    if (f.filename == datastore::kManifestName) continue;
    auto [kind, size] = archive_kind(f);
    out += fmt::format("  {:<32} {:<15} {:>10}{}\n", f.filename, kind, human_bytes(f.size),
                       f.crypt_mode == "none" ? "" : "  " + f.crypt_mode);
  }
  return out;
}

nlohmann::ordered_json archives_json(const extract::SnapshotFiles& snap, const std::string& target) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : snap.manifest.files) {
    if (f.filename == datastore::kManifestName) continue;
    auto [kind, size] = archive_kind(f);
    files.push_back({{"archive", f.filename}, {"kind", kind}, {"size", f.size}, {"size-is", size}, {"crypt-mode", f.crypt_mode}});
  }
  nlohmann::ordered_json j;
  j["target"] = target;
  j["snapshot"] = snap.name();
  j["protected"] = snap.snapshot->files.count(std::string(datastore::kProtectedName)) > 0;
  j["archives"] = files;
  return j;
}

}  // namespace pbs::report
