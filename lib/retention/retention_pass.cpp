#include "retention/retention_pass.h"

#include <optional>
#include <set>

#include "datastore/digest_set.h"
#include "records/record_keys.h"
#include "records/retention_record.h"
#include "remote/key_layout.h"
#include "remote/references.h"

namespace pbs::retention {

using records::RetentionRecord;

namespace {

// The keys of what complete snapshots need besides chunks, relative to the prefix.
std::vector<std::string> snapshot_object_keys(const remote::RemoteCatalog& catalog, bool encrypted) {
  std::vector<std::string> keys{std::string(records::kSourceKey)};
  if (encrypted) keys.emplace_back(records::kEncryptionKey);
  std::set<datastore::GroupRef> groups;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!rs.complete()) continue;
    groups.insert(ref.group);
    for (const auto& [name, f] : rs.files) keys.push_back(remote::snapshot_file_rel_key(ref, name));
  }
  for (const auto& g : groups) {
    if (const remote::RemoteGroup* rg = catalog.group(g)) {
      for (const auto& [name, f] : rg->files) keys.push_back(remote::group_file_rel_key(g, name));
    }
  }
  for (const auto& ns : catalog.namespace_markers()) keys.push_back(remote::namespace_marker_rel_key(ns));
  return keys;
}

// Why a pass must run now, or "" when the record still covers long enough.
std::string pass_reason(const std::optional<RetentionRecord>& record, const LockPolicy& policy, std::int64_t start) {
  if (!record) return "no retention record (a prefix written before locking, or a garbled record)";
  // A coverage beyond start + N is none this tool wrote (a record put there by hand or by an
  // attacker holding the host's keys): it is not believed.
  if (record->covered_until > start + policy.period()) {
    return "the retention record claims more than " + std::to_string(policy.days) + " days";
  }
  if (record->mode != policy.mode) return "the lock mode changed from " + record->mode;
  if (record->covered_until - start < policy.margin()) {
    return "retention of what complete snapshots need ends in less than " + days_text(policy.margin());
  }
  return "";
}

bool any_complete(const remote::RemoteCatalog& catalog) {
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (rs.complete()) return true;
  }
  return false;
}

}  // namespace

Result<RetentionReport> keep_retention(transfer::RequestInterface& requests, const remote::Remote& remote,
                                       const LockPolicy& policy, const remote::RemoteCatalog& catalog,
                                       std::int64_t start, bool dry_run, bool encrypted) {
  RetentionReport report;
  s3::Retention retention{policy.mode, start + policy.period()};
  PBS_ASSIGN(auto record, records::read_retention_record(requests, remote));
  report.reason = pass_reason(record, policy, start);
  if (report.reason.empty()) {
    report.covered_until = record->covered_until;
    return report;  // the usual night: nothing to extend
  }
  if (!record && !any_complete(catalog)) {
    // Nothing is needed yet: all this run and later ones write is locked at least this long.
    report.reason.clear();
    report.covered_until = retention.until;
    if (!dry_run) PBS_TRY(records::write_retention_record(requests, remote, {policy.mode, policy.days, retention.until, 0}, retention));
    return report;
  }
  report.pass = true;
  std::vector<std::string> files = snapshot_object_keys(catalog, encrypted);
  datastore::DigestSet referenced;
  std::size_t snapshots = 0;
  std::vector<std::string> unreadable;  // broken snapshots must not leave every other unlocked
  PBS_TRY(remote::collect_referenced(requests, remote, catalog, referenced, snapshots, &unreadable));
  for (auto& u : unreadable) report.unreadable.push_back(std::move(u) + ": the chunks of its snapshot are not extended");
  std::int64_t kept = record ? record->covered_until : 0;
  if (dry_run) {
    report.objects = files.size() + referenced.size();
    report.covered_until = kept;
    return report;
  }
  std::vector<Digest> chunks = referenced.to_vector();
  referenced = datastore::DigestSet();
  PBS_TRY(extend_retention(requests, remote, files, chunks, retention, report));
  if (report.failures > 0) {
    report.covered_until = kept;
    return report;
  }
  PBS_TRY(records::write_retention_record(requests, remote, {policy.mode, policy.days, retention.until, start}, retention));
  report.covered_until = retention.until;
  return report;
}

}  // namespace pbs::retention
