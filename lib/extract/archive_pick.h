#pragma once
// Which snapshot and which of its files `extract` and `list --snapshot` mean: TYPE/ID/TIME (or
// TYPE/ID/latest, the newest complete one) among the remote snapshots, and an archive named as PBS
// names it, with or without its .fidx, .didx or .blob suffix. A name that matches nothing is an
// error that lists what is there, so the administrator can pick at once.

#include <string>
#include <string_view>

#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "util/result.h"

namespace pbs::extract {

// Errc::invalid_argument when the text does not parse, the group has no such snapshot, or it is
// not complete remotely (its manifest missing: a sync that never finished it).
Result<const remote::RemoteSnapshot*> pick_snapshot(const remote::RemoteCatalog& catalog, const datastore::Namespace& ns,
                                                    std::string_view spec);

// The manifest entry `archive` names (the manifest itself is no archive). Errc::invalid_argument
// naming the archives the snapshot has when none matches.
Result<const datastore::ManifestFile*> pick_archive(const datastore::Manifest& manifest, std::string_view archive);

// "drive-scsi0.img.fidx, qemu-server.conf.blob": the archives, for a message.
std::string describe_archives(const datastore::Manifest& manifest);

}  // namespace pbs::extract
