#pragma once
// Read access to a local PBS datastore directory: the namespace / group / snapshot hierarchy in a
// stable order (namespace, type, id, time), and the paths of chunks and snapshot files. What a
// mirror must not copy is left out, as PBS's own listing leaves it out (pbs-datastore/src/
// hierarchy.rs, backup_info.rs): hidden directories, names PBS does not list (temp files of
// interrupted writes), and at the root anything but .chunks, vm, ct, host and ns.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datastore/digest_map.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "datastore/names.h"
#include "util/file_io.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::datastore {

struct SnapshotInfo {
  SnapshotRef ref;
  bool finished = false;      // has index.json.blob
  bool is_protected = false;  // has .protected
  std::vector<std::string> files;  // every listed file name, sorted (manifest and .protected too)
};

// Callbacks of Datastore::walk, called in the stable order. Either may be empty.
struct WalkVisitor {
  std::function<Status(const Namespace&)> on_namespace;
  std::function<Status(const GroupRef&, std::vector<SnapshotInfo>&&)> on_group;
};

// ".chunks/bb9f/bb9f8df6..."
std::string chunk_rel_path(const Digest& digest);

class Datastore {
 public:
  // Fails unless `root` is a directory with a `.chunks` directory.
  static Result<Datastore> open(std::string root);
  // A view: its snapshot files under `root`, its chunks those of `chunks` (another datastore),
  // where the chunk d is the file of chunk aliases[d] when it has an alias. An encrypted view
  // names each chunk it will send by its encrypted digest and finds it as the plain chunk it is
  // made from.
  static Datastore view(std::string root, const Datastore& chunks,
                        std::shared_ptr<const DigestMap<Digest>> aliases);

  const std::string& root() const { return root_; }
  // The directory's base name: PBS's datastore name when the path is a PBS datastore path.
  std::string name() const;
  std::string path(std::string_view rel) const;
  std::string chunk_path(const Digest& digest) const;
  // The chunk d is another chunk's file (a view's alias).
  bool aliased(const Digest& digest) const { return aliases_ && aliases_->contains(digest); }
  const std::string& chunk_root() const { return chunk_root_; }

  // `anchor` and every namespace below it, at most `max_depth` levels deeper, parents first.
  Result<std::vector<Namespace>> namespaces(const Namespace& anchor = {},
                                            std::optional<std::size_t> max_depth = {}) const;
  Result<std::vector<GroupRef>> groups(const Namespace& ns) const;
  // Every snapshot directory with a valid time name, finished or not, oldest first.
  Result<std::vector<SnapshotInfo>> snapshots(const GroupRef& group) const;
  // Streams the hierarchy below `anchor`: each namespace, then each of its groups with its
  // snapshots. Only one group's snapshot list is in memory at a time.
  Status walk(const Namespace& anchor, std::optional<std::size_t> max_depth,
              const WalkVisitor& visitor) const;

  // Reads a snapshot file into `out` (capacity reused); errors name the file.
  Status read_snapshot_file(const SnapshotRef& snapshot, std::string_view name,
                            std::vector<std::uint8_t>& out) const;
  // The manifest, checked to belong to this snapshot (type, id and time match the directory).
  Result<Manifest> read_manifest(const SnapshotRef& snapshot) const;
  Result<IndexFile> read_index(const SnapshotRef& snapshot, std::string_view name) const;

  // The owner line of a group, trimmed; nullopt when the group has no owner file.
  Result<std::optional<std::string>> owner(const GroupRef& group) const;

 private:
  explicit Datastore(std::string root) : root_(root), chunk_root_(std::move(root)) {}
  std::string root_;
  std::string chunk_root_;
  std::shared_ptr<const DigestMap<Digest>> aliases_;
};

// Sizes of chunk files, looked up relative to the open `.chunks` directory: each stat walks two
// path components instead of the datastore's whole path (a plan of ten million chunks does ten
// million of them).
class ChunkSizes {
 public:
  explicit ChunkSizes(const Datastore& store);
  // nullopt: no regular chunk file there (missing, or not readable).
  std::optional<std::uint64_t> size(const Digest& digest) const;

 private:
  const Datastore& store_;
  UniqueFd dir_;  // the .chunks directory
};

}  // namespace pbs::datastore
