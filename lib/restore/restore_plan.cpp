#include "restore/restore_plan.h"

#include <algorithm>
#include <map>
#include <set>

namespace pbs::restore {

using namespace datastore;

bool RestoreSelection::selects(const SnapshotRef& ref) const {
  if (!contains(ref.group.ns)) return false;
  if (group && ref.group != *group) return false;
  if (snapshot && ref != *snapshot) return false;
  return true;
}

Result<RestorePlan> make_restore_plan(const remote::RemoteCatalog& catalog, const RestoreSelection& selection,
                                      const LocalView& local) {
  RestorePlan plan;
  std::map<GroupRef, const remote::RemoteSnapshot*> newest;
  std::vector<const remote::RemoteSnapshot*> chosen;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!rs.complete() || !selection.selects(ref)) continue;
    if (selection.latest) {
      auto& n = newest[ref.group];
      if (!n || n->ref.time < ref.time) n = &rs;
    } else {
      chosen.push_back(&rs);
    }
  }
  for (const auto& [g, rs] : newest) chosen.push_back(rs);
  std::stable_sort(chosen.begin(), chosen.end(),
                   [](const remote::RemoteSnapshot* a, const remote::RemoteSnapshot* b) { return a->ref.time < b->ref.time; });
  if (chosen.empty() && (selection.snapshot || selection.group)) {
    return Error(Errc::not_found, "no complete remote snapshot matches the selection");
  }
  plan.selected = chosen.size();

  for (const auto& ns : catalog.namespace_markers()) {
    if (ns.is_within(selection.anchor)) plan.namespaces.push_back(ns);
  }
  std::set<GroupRef> groups;
  for (const remote::RemoteSnapshot* rs : chosen) {
    if (local.has_snapshot(rs->ref, rs->files.at(std::string(kManifestName)))) {
      ++plan.present;
      continue;
    }
    plan.snapshots.push_back(rs);
    groups.insert(rs->ref.group);
  }
  for (const auto& g : groups) {
    const remote::RemoteGroup* rg = catalog.group(g);
    if (!rg) continue;
    for (const auto& [name, f] : rg->files) {
      if (!local.has_group_file(g, name)) plan.group_files.push_back({g, name, f.version_id});
    }
  }
  return plan;
}

}  // namespace pbs::restore
