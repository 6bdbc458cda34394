#include "remote/snapshot_reader.h"

#include <deque>
#include <optional>
#include <utility>

#include "remote/key_layout.h"
#include "remote/listing.h"

namespace pbs::remote {

namespace {

class Reader {
 public:
  Reader(transfer::RequestInterface& requests, const Remote& remote, const std::vector<SnapshotToRead>& snapshots,
         const ManifestCallback& on_manifest, const FileCallback& on_file)
      : requests_(requests), remote_(remote), snapshots_(snapshots), on_manifest_(on_manifest), on_file_(on_file) {}

  Status run() {
    pump();
    requests_.run_until([&] { return (stop_ || done()) && in_flight_ == 0; });
    if (stop_) return std::move(*stop_);
    return {};
  }

 private:
  bool done() const { return next_ == snapshots_.size() && files_.empty(); }

  void pump() {
    std::size_t depth = transfer::submit_depth(requests_);
    while (!stop_ && requests_.outstanding() < depth) {
      if (!files_.empty()) {
        auto [i, name] = std::move(files_.front());
        files_.pop_front();
        fetch_file(i, name);
      } else if (next_ < snapshots_.size()) {
        start(next_++);
      } else {
        break;
      }
    }
  }

  // A transfer error about the target ends the read; about one object, it is the object's problem.
  bool stopped_by(const Error& e) {
    if (!concerns_target(e.code())) return false;
    if (!stop_) stop_ = e;
    return true;
  }

  void start(std::size_t i) {
    const SnapshotToRead& s = snapshots_[i];
    if (s.known) return take_manifest(i, ManifestRead{*s.known, {}});
    const auto& ref = s.snapshot->ref;
    ++in_flight_;
    requests_.submit(remote_get(remote_, snapshot_file_rel_key(ref, datastore::kManifestName),
                                s.snapshot->version(datastore::kManifestName)),
                     transfer::Sink::in_memory(kMaxManifestObjectSize),
                     [this, i](Result<s3::Response> r) {
                       --in_flight_;
                       manifest_fetched(i, std::move(r));
                       pump();
                     });
  }

  void manifest_fetched(std::size_t i, Result<s3::Response> r) {
    std::string key = remote_.key(snapshot_file_rel_key(snapshots_[i].snapshot->ref, datastore::kManifestName));
    if (!r) {
      if (stopped_by(r.error())) return;
      on_manifest_(i, std::move(r).error().context(key));
      return;
    }
    if (r->status != 200) {
      on_manifest_(i, Error(Errc::remote, key + ": vanished"));
      return;
    }
    auto m = datastore::parse_manifest_blob(r->body);
    if (!m) {
      on_manifest_(i, Error(Errc::corrupt, key + ": " + m.error().message()));
      return;
    }
    take_manifest(i, ManifestRead{std::move(*m), std::move(r->body)});
  }

  void take_manifest(std::size_t i, ManifestRead read) {
    for (auto& name : on_manifest_(i, std::move(read))) files_.emplace_back(i, std::move(name));
  }

  void fetch_file(std::size_t i, const std::string& name) {
    const RemoteSnapshot& rs = *snapshots_[i].snapshot;
    ++in_flight_;
    requests_.submit(remote_get(remote_, snapshot_file_rel_key(rs.ref, name), rs.version(name)),
                     transfer::Sink::in_memory(kMaxSnapshotFileSize), [this, i, name](Result<s3::Response> r) {
                       --in_flight_;
                       file_fetched(i, name, std::move(r));
                       pump();
                     });
  }

  void file_fetched(std::size_t i, const std::string& name, Result<s3::Response> r) {
    std::string key = remote_.key(snapshot_file_rel_key(snapshots_[i].snapshot->ref, name));
    if (!r) {
      if (!stopped_by(r.error())) on_file_(i, name, std::move(r).error().context(key));
    } else if (r->status != 200) {
      on_file_(i, name, Error(Errc::remote, key + ": missing"));
    } else {
      on_file_(i, name, std::move(r->body));
    }
  }

  transfer::RequestInterface& requests_;
  const Remote& remote_;
  const std::vector<SnapshotToRead>& snapshots_;
  const ManifestCallback& on_manifest_;
  const FileCallback& on_file_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
  std::deque<std::pair<std::size_t, std::string>> files_;
  std::optional<Error> stop_;
};

}  // namespace

Status read_snapshots(transfer::RequestInterface& requests, const Remote& remote,
                      const std::vector<SnapshotToRead>& snapshots, const ManifestCallback& on_manifest,
                      const FileCallback& on_file) {
  return Reader(requests, remote, snapshots, on_manifest, on_file).run();
}

std::vector<SnapshotToRead> complete_snapshots(const RemoteCatalog& catalog) {
  std::vector<SnapshotToRead> out;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (rs.complete()) out.push_back({&rs, nullptr});
  }
  return out;
}

std::vector<std::string> index_files(const datastore::Manifest& manifest) {
  std::vector<std::string> out;
  for (const auto& f : manifest.files) {
    auto kind = datastore::snapshot_file_kind(f.filename);
    if (kind && datastore::is_index_kind(*kind)) out.push_back(f.filename);
  }
  return out;
}

}  // namespace pbs::remote
