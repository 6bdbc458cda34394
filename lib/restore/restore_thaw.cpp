#include "restore/restore_thaw.h"

#include "remote/key_layout.h"
#include "remote/references.h"

namespace pbs::restore {

Result<std::vector<thaw::ArchivedObject>> archived_needed(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                          const RestorePlan& plan, const remote::ChunkListing& listing,
                                                          const std::function<bool(const Digest&)>& on_disk) {
  std::vector<remote::SnapshotToRead> reads;
  for (const auto* snap : plan.snapshots) reads.push_back({snap, nullptr});
  datastore::DigestSet chunks;
  // A snapshot whose files cannot be read is the restore's to report; the others are looked at.
  std::vector<std::string> skipped;
  PBS_TRY(remote::collect_referenced(requests, remote, reads, chunks, &skipped));
  std::vector<thaw::ArchivedObject> out;
  chunks.for_each([&](const Digest& d) {
    auto slot = listing.find(d);
    if (!slot || !listing.archived(*slot) || on_disk(d)) return;
    out.push_back({remote.key(remote::chunk_rel_key(d)), listing.size(*slot), listing.version(*slot)});
  });
  return out;
}

std::vector<thaw::ArchivedObject> archived_objects(const remote::Remote& remote, const std::vector<Digest>& chunks,
                                                   const remote::ChunkListing* versions) {
  std::vector<thaw::ArchivedObject> out;
  for (const auto& d : chunks) {
    std::string version;
    if (versions) {
      if (auto slot = versions->find(d)) version = versions->version(*slot);
    }
    out.push_back({remote.key(remote::chunk_rel_key(d)), 0, version});
  }
  return out;
}

Status make_readable(transfer::RequestInterface& requests, const remote::Remote& remote,
                     std::vector<thaw::ArchivedObject> objects, const thaw::ThawChoice& choice, bool dry_run,
                     const std::function<bool()>& interrupted, RestoreSummary& summary) {
  if (objects.empty()) return {};
  if (!summary.thaw) summary.thaw.emplace();
  return thaw::make_readable(requests, remote, std::move(objects), choice, dry_run, interrupted, *summary.thaw,
                             summary.errors);
}

}  // namespace pbs::restore
