#include "remote/references.h"

#include <optional>

#include "datastore/index_file.h"
#include "remote/key_layout.h"
#include "remote/snapshot_reader.h"

namespace pbs::remote {

Status collect_referenced(transfer::RequestInterface& requests, const Remote& remote, const RemoteCatalog& catalog,
                          datastore::DigestSet& out, std::size_t& snapshots, std::vector<std::string>* skipped) {
  auto complete = complete_snapshots(catalog);
  snapshots = complete.size();
  return collect_referenced(requests, remote, complete, out, skipped);
}

Status collect_referenced(transfer::RequestInterface& requests, const Remote& remote,
                          const std::vector<SnapshotToRead>& complete, datastore::DigestSet& out,
                          std::vector<std::string>* skipped) {
  std::optional<Error> error;
  // A manifest or index gone or unreadable: an error, or with `skipped` a note and the rest goes on.
  auto unreadable = [&](Error e) {
    if (skipped) {
      skipped->push_back(e.message());
    } else if (!error) {
      error = std::move(e);
    }
  };
  auto on_manifest = [&](std::size_t, Result<ManifestRead> m) -> std::vector<std::string> {
    if (!m) {
      unreadable(std::move(m).error());
      return {};
    }
    return error ? std::vector<std::string>{} : index_files(m->manifest);
  };
  auto on_index = [&](std::size_t i, const std::string& name, Result<std::vector<std::uint8_t>> bytes) {
    if (!bytes) return unreadable(std::move(bytes).error());
    auto index = datastore::parse_index(*bytes);
    if (!index) {
      std::string key = remote.key(snapshot_file_rel_key(complete[i].snapshot->ref, name));
      return unreadable(Error(Errc::corrupt, key + ": " + index.error().message()));
    }
    for (const auto& d : index->digests) out.insert(d);
  };
  PBS_TRY(read_snapshots(requests, remote, complete, on_manifest, on_index));
  if (error) return std::move(*error);
  return {};
}

}  // namespace pbs::remote
