#include "report/gc_printer.h"

#include <fmt/format.h>

#include "report/bill_printer.h"
#include "report/error_lines.h"
#include "report/human.h"
#include "report/json_parts.h"
#include "s3/request.h"

namespace pbs::report {

std::string gc_text(const gc::GcSummary& s) {
  std::string out = fmt::format("{}gc {}\n", s.dry_run ? "[dry run] " : "", s.target);
  out += fmt::format("{} complete snapshots reference {} chunks; {} chunks listed\n", s.snapshots_referencing,
                     s.chunks_referenced, s.chunks_listed);
  out += fmt::format("{} unreferenced chunks {} ({}), {} kept inside the grace period\n", s.chunks_deleted,
                     s.dry_run ? "would be deleted" : "deleted", human_bytes(s.bytes_freed), s.chunks_young);
  if (s.chunks_min_storage) {
    out += fmt::format("{} unreferenced chunks ({}) kept: younger than their storage class's minimum duration "
                       "(MIN_STORAGE_DAYS); deleted now they would be billed as if they stayed, so a later gc deletes them\n",
                       s.chunks_min_storage, human_bytes(s.bytes_min_storage));
    if (s.prices) {
      out += fmt::format("deleting them now would still bill {} at {}\n",
                         bill::money(*s.prices, bill::early_deletion_cost(*s.prices, s.byte_days_min_storage)),
                         bill::describe(*s.prices));
    }
  }
  out += fmt::format("{} incomplete snapshots {}, {} kept (young)\n", s.incomplete_removed,
                     s.dry_run ? "would be removed" : "removed", s.incomplete_kept);
  if (s.versioned) {
    out += fmt::format("versioned bucket: {} version(s) and delete marker(s) {}, of which {} noncurrent copies of "
                       "referenced chunks and {} removed key(s)\n",
                       s.dry_run ? s.versions_doomed : s.objects_deleted, s.dry_run ? "to delete" : "deleted",
                       s.versions_redundant, s.removed_keys_purged);
    if (s.versions_locked) {
      out += fmt::format("{} version(s) still under Object Lock retention stay{}; a later gc removes them\n",
                         s.versions_locked,
                         s.locked_until ? " (until " + s3::iso8601(s.locked_until) + " at the latest)" : "");
    }
  }
  out += fmt::format("requests: {} in {}\n", s.counters.total_requests(), human_duration(s.duration));
  out += transfer_notes_text(s.counters);
  return out + closing_lines({}, s.warnings, s.errors);
}

nlohmann::ordered_json gc_json(const gc::GcSummary& s, int exit_code) {
  nlohmann::ordered_json j;
  j["target"] = s.target;
  j["dry-run"] = s.dry_run;
  j["exit-code"] = exit_code;
  j["interrupted"] = s.interrupted;
  j["snapshots-referencing"] = s.snapshots_referencing;
  j["chunks-listed"] = s.chunks_listed;
  j["chunks-referenced"] = s.chunks_referenced;
  j["chunks-deleted"] = s.chunks_deleted;
  j["bytes-freed"] = s.bytes_freed;
  j["chunks-young"] = s.chunks_young;
  j["chunks-min-storage"] = s.chunks_min_storage;
  j["bytes-min-storage"] = s.bytes_min_storage;
  j["early-deletion-cost"] = s.prices ? nlohmann::ordered_json(bill::early_deletion_cost(*s.prices, s.byte_days_min_storage))
                                      : nlohmann::ordered_json(nullptr);
  j["cost"] = cost_json(s.prices, s.prices ? counted_cost(*s.prices, s.counters) : bill::RunCost{}, s.dry_run);
  j["incomplete-removed"] = s.incomplete_removed;
  j["incomplete-kept"] = s.incomplete_kept;
  j["objects-deleted"] = s.objects_deleted;
  j["versioned-bucket"] = s.versioned;
  if (s.versioned) {
    j["versions"] = {{"to-delete", s.versions_doomed},
                     {"redundant-copies", s.versions_redundant},
                     {"removed-keys-purged", s.removed_keys_purged},
                     {"locked", s.versions_locked},
                     {"locked-until", s.locked_until},
                     {"referenced-chunks-hidden", s.chunks_hidden}};
  }
  j["requests"] = requests_json(s.counters);
  j["host-budget"] = host_budget_json(s.counters);
  j["duration-seconds"] = s.duration;
  j["errors"] = errors_json(s.errors);
  j["warnings"] = s.warnings;
  return j;
}

}  // namespace pbs::report
