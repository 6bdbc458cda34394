#include "report/verify_printer.h"

#include <fmt/format.h>

#include "report/human.h"

namespace pbs::report {

using ojson = nlohmann::ordered_json;

std::string verify_text(const datastore::LocalVerifyReport& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += fmt::format("{}: {}", p.path, p.message);
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

}  // namespace pbs::report
