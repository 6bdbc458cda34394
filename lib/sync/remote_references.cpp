#include "sync/remote_references.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "sync/remote_layout.h"
#include "sync/remote_listing.h"

namespace pbs::sync {

using namespace datastore;

Status collect_referenced(transfer::RequestInterface& requests, const Remote& remote, const RemoteCatalog& catalog,
                          DigestSet& out, std::size_t& snapshots) {
  std::vector<std::string> index_keys;
  std::optional<Error> error;
  std::size_t limit = transfer::submit_depth(requests);
  std::vector<const RemoteSnapshot*> complete;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (rs.complete()) complete.push_back(&rs);
  }
  snapshots = complete.size();
  std::size_t next = 0;
  std::function<void()> pump = [&] {
    while (next < complete.size() && requests.outstanding() < limit && !error) {
      const RemoteSnapshot* rs = complete[next++];
      requests.submit(remote_get(remote, snapshot_file_rel_key(rs->ref, kManifestName), rs->version(kManifestName)),
                    [&, rs](Result<s3::Response> r) {
                      if (!r || r->status != 200) {
                        if (!error) error = r ? Error(Errc::remote, rs->ref.rel_dir() + ": manifest vanished during gc") : std::move(r).error();
                        return;
                      }
                      auto m = parse_manifest_blob(r->body);
                      if (!m) {
                        if (!error) error = Error(Errc::corrupt, remote.key(snapshot_file_rel_key(rs->ref, kManifestName)) + ": " + m.error().message());
                        return;
                      }
                      for (const auto& f : m->files) {
                        auto kind = snapshot_file_kind(f.filename);
                        if (!kind || !is_index_kind(*kind)) continue;
                        std::string key = remote.key(snapshot_file_rel_key(rs->ref, f.filename));
                        auto sink = transfer::Sink::in_memory(kMaxSnapshotFileSize);
                        requests.submit(remote_get(remote, snapshot_file_rel_key(rs->ref, f.filename), rs->version(f.filename)),
                                        sink, [&, key](Result<s3::Response> ir) {
                          if (!ir || ir->status != 200) {
                            if (!error) error = ir ? Error(Errc::remote, key + ": index missing; refusing to delete anything") : std::move(ir).error();
                            return;
                          }
                          auto ix = parse_index(ir->body);
                          if (!ix) {
                            if (!error) error = Error(Errc::corrupt, key + ": " + ix.error().message() + "; refusing to delete anything");
                            return;
                          }
                          for (const auto& d : ix->digests) out.insert(d);
                          pump();
                        });
                      }
                      pump();
                    });
    }
  };
  pump();
  requests.run_until([&] { return (next == complete.size() || error) && requests.outstanding() == 0; });
  if (error) return std::move(*error);
  return {};
}

}  // namespace pbs::sync
