#include "remote/references.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "remote/key_layout.h"
#include "remote/listing.h"

namespace pbs::remote {

using namespace datastore;

Status collect_referenced(transfer::RequestInterface& requests, const Remote& remote, const RemoteCatalog& catalog,
                          DigestSet& out, std::size_t& snapshots, std::vector<std::string>* skipped) {
  std::optional<Error> error;
  // A manifest or index gone or unreadable: an error, or with `skipped` a note and the rest goes on.
  auto unreadable = [&](Error e) {
    if (skipped) {
      skipped->push_back(e.message());
    } else if (!error) {
      error = std::move(e);
    }
  };
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
      std::string manifest_key = remote.key(snapshot_file_rel_key(rs->ref, kManifestName));
      requests.submit(remote_get(remote, snapshot_file_rel_key(rs->ref, kManifestName), rs->version(kManifestName)),
                      [&, rs, manifest_key](Result<s3::Response> r) {
                        if (!r) {
                          if (!error) error = std::move(r).error();
                          return;
                        }
                        if (r->status != 200) {
                          unreadable(Error(Errc::remote, manifest_key + ": vanished"));
                          return pump();
                        }
                        auto m = parse_manifest_blob(r->body);
                        if (!m) {
                          unreadable(Error(Errc::corrupt, manifest_key + ": " + m.error().message()));
                          return pump();
                        }
                        for (const auto& f : m->files) {
                          auto kind = snapshot_file_kind(f.filename);
                          if (!kind || !is_index_kind(*kind)) continue;
                          std::string key = remote.key(snapshot_file_rel_key(rs->ref, f.filename));
                          auto sink = transfer::Sink::in_memory(kMaxSnapshotFileSize);
                          requests.submit(
                              remote_get(remote, snapshot_file_rel_key(rs->ref, f.filename), rs->version(f.filename)),
                              sink, [&, key](Result<s3::Response> ir) {
                                if (!ir) {
                                  if (!error) error = std::move(ir).error();
                                  return;
                                }
                                if (ir->status != 200) {
                                  unreadable(Error(Errc::remote, key + ": index missing"));
                                } else if (auto ix = parse_index(ir->body); !ix) {
                                  unreadable(Error(Errc::corrupt, key + ": " + ix.error().message()));
                                } else {
                                  for (const auto& d : ix->digests) out.insert(d);
                                }
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

}  // namespace pbs::remote
