#pragma once
// What a restore has to do, decided before anything is fetched: the complete remote snapshots the
// selection names (--ns, --max-depth, --group, --snapshot, --latest), less those already restored
// (a local manifest identical to the remote one), oldest first; the namespaces to create; the
// group files (owner, notes) missing locally. Pure: the local datastore is asked through LocalView,
// so the plan is tested without a disk or a server.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "datastore/names.h"
#include "remote/catalog.h"
#include "util/result.h"

namespace pbs::restore {

struct RestoreSelection : datastore::NamespaceScope {
  std::optional<datastore::GroupRef> group;        // --group vm/100 (in the anchor namespace)
  std::optional<datastore::SnapshotRef> snapshot;  // --snapshot vm/100/2026-...
  bool latest = false;                             // newest complete snapshot per group

  bool selects(const datastore::SnapshotRef& ref) const;
};

// What the plan needs to know of the local datastore.
struct LocalView {
  // The snapshot is there already, with a manifest identical to the remote one.
  std::function<bool(const datastore::SnapshotRef&, const remote::RemoteFile& remote_manifest)> has_snapshot;
  std::function<bool(const datastore::GroupRef&, std::string_view name)> has_group_file;
};

struct GroupFileFetch {
  datastore::GroupRef group;
  std::string name;  // owner or notes
  std::string version_id;  // at a point in time
};

struct RestorePlan {
  std::size_t selected = 0;  // complete remote snapshots selected
  std::size_t present = 0;   // of those, restored already
  std::vector<datastore::Namespace> namespaces;  // with a remote marker, in scope
  std::vector<GroupFileFetch> group_files;       // of the groups restored into, missing locally
  std::vector<const remote::RemoteSnapshot*> snapshots;  // to restore, oldest first
};

// Errc::not_found when --group or --snapshot names nothing complete remotely.
Result<RestorePlan> make_restore_plan(const remote::RemoteCatalog& catalog, const RestoreSelection& selection,
                                      const LocalView& local);

}  // namespace pbs::restore
