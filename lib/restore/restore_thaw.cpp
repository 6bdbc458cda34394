#include "restore/restore_thaw.h"

#include <fmt/core.h>

#include "remote/key_layout.h"
#include "remote/references.h"

namespace pbs::restore {

Result<std::vector<thaw::ArchivedObject>> archived_needed(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                          const RestorePlan& plan, const remote::ChunkListing& listing,
                                                          const std::function<bool(const Digest&)>& on_disk) {
  std::vector<remote::SnapshotToRead> reads;
  for (const auto* snap : plan.snapshots) reads.push_back({snap, nullptr});
  datastore::DigestSet chunks;
  PBS_TRY(remote::collect_referenced(requests, remote, reads, chunks));
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
                     std::vector<thaw::ArchivedObject> objects, const ThawChoice& choice, bool dry_run,
                     const std::function<bool()>& interrupted, RestoreSummary& summary) {
  if (objects.empty()) return {};
  if (!summary.thaw) summary.thaw.emplace();
  thaw::ThawSummary& t = *summary.thaw;
  std::vector<thaw::ArchivedObject> pending;
  auto asked = thaw::ask_for_readable(requests, remote, std::move(objects), {choice.tier, choice.days, !dry_run}, t, pending);
  summary.errors.insert(summary.errors.end(), t.errors.begin(), t.errors.end());
  t.errors.clear();
  PBS_TRY(std::move(asked));
  t.waiting = pending.size();
  if (pending.empty() || dry_run || choice.request_only) return {};
  auto time = thaw::tier_time(t.storage_class, choice.tier).value_or(thaw::TierTime{3, 5});
  double poll = choice.poll_seconds > 0 ? choice.poll_seconds : thaw::poll_seconds(time);
  auto say = [&](std::size_t left) {
    if (!choice.say) return;
    choice.say(fmt::format("waiting for {} archived chunks from {} ({} retrieval: {}); looking again every {:.0f} s",
                           left, t.storage_class, thaw::tier_name(choice.tier), thaw::describe(time), poll));
  };
  auto waited = thaw::wait_until_readable(requests, remote, std::move(pending), poll, interrupted, t, say);
  summary.errors.insert(summary.errors.end(), t.errors.begin(), t.errors.end());
  t.errors.clear();
  return waited;
}

}  // namespace pbs::restore
