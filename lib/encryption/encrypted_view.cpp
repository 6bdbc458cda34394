#include "encryption/encrypted_view.h"

#include <unistd.h>

#include <cerrno>

#include "datastore/digest_set.h"
#include "encryption/chunk_naming.h"
#include "encryption/snapshot_sealing.h"
#include "encryption/view_entries.h"
#include "encryption/view_sources.h"

namespace pbs::encryption {

using namespace datastore;

namespace {

Status copy_into_view(const std::string& from, const std::string& to) {
  PBS_ASSIGN(auto bytes, read_file(from));
  return write_view_file(to, bytes);
}

class ViewBuilder {
 public:
  ViewBuilder(const Datastore& store, const LocalScan& scan, const remote::RemoteCatalog& catalog,
              std::shared_ptr<const crypto::CryptKey> key, transfer::RequestInterface& requests,
              const remote::Remote& remote, const ViewOptions& options, EncryptedView& view)
      : store_(store), scan_(scan), catalog_(catalog), key_(std::move(key)), requests_(requests), remote_(remote),
        options_(options), view_(view) {}

  Result<std::shared_ptr<DigestMap<Digest>>> run() {
    groups_ = make_entries(scan_, view_.warnings);
    view_.recorded = records::read_sealed_manifests(requests_, remote_);
    PBS_TRY(read_remote_copies(requests_, remote_, catalog_, *key_, view_.recorded, groups_));
    choose_work(store_, *key_, options_.full, groups_);
    PBS_TRY(read_sources(requests_, remote_, catalog_, store_, view_.dir.path(), groups_, encrypted_of_));
    view_.chunks_named = encrypted_of_.size();
    name_unknown_chunks();
    PBS_TRY(lay_out());
    return aliases_;
  }

 private:
  std::string view_path(const std::string& rel) const { return join_path(view_.dir.path(), rel); }
  void name_unknown_chunks();
  Status lay_out_group(std::size_t g);
  Status lay_out_snapshot(ViewEntry& e, LocalGroup& group);
  Status lay_out();

  const Datastore& store_;
  const LocalScan& scan_;
  const remote::RemoteCatalog& catalog_;
  std::shared_ptr<const crypto::CryptKey> key_;
  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  ViewOptions options_;
  EncryptedView& view_;
  ViewGroups groups_;
  DigestMap<Digest> encrypted_of_;            // plain digest -> encrypted name
  std::map<Digest, std::string> unreadable_;  // plain chunks that cannot be sealed, and why
  std::shared_ptr<DigestMap<Digest>> aliases_ = std::make_shared<DigestMap<Digest>>();
};

// The chunks of the snapshots to build that no remote index names. An index that cannot be read
// names none here; its snapshot fails when it is sealed, with the reason.
void ViewBuilder::name_unknown_chunks() {
  DigestSet wanted;
  std::vector<Digest> todo;
  for (const auto& group : groups_) {
    for (const auto& e : group) {
      if (!e.build) continue;
      (void)for_each_index(store_, *e.local, [&](const std::vector<Digest>& digests) {
        for (const auto& d : digests) {
          if (!encrypted_of_.contains(d) && wanted.insert(d)) todo.push_back(d);
        }
      });
    }
  }
  ChunkNaming named = name_chunks(store_, *key_, todo, options_.threads, encrypted_of_);
  unreadable_ = std::move(named.unreadable);
  view_.chunks_read = named.read;
  view_.bytes_read = named.bytes;
}

// The view's tree: namespaces, group files, and every snapshot as it is to be stored.
Status ViewBuilder::lay_out() {
  LocalScan& out = view_.scan;
  out.namespaces = scan_.namespaces;
  out.unfinished = scan_.unfinished;
  out.filtered = scan_.filtered;
  out.problems = scan_.problems;
  for (std::size_t g = 0; g < scan_.groups.size(); ++g) PBS_TRY(lay_out_group(g));
  return {};
}

Status ViewBuilder::lay_out_group(std::size_t g) {
  const LocalGroup& lg = scan_.groups[g];
  LocalGroup group = lg;
  group.snapshots.clear();
  std::string gdir = view_path(lg.ref.rel_dir());
  PBS_TRY(make_dirs(gdir, 0700));
  for (std::string_view f : {kOwnerName, kNotesName}) {
    bool present = f == kOwnerName ? lg.has_owner : lg.has_notes;
    std::string from = store_.path(lg.ref.rel_dir() + "/" + std::string(f));
    if (present && !copy_into_view(from, gdir + "/" + std::string(f))) {
      (f == kOwnerName ? group.has_owner : group.has_notes) = false;  // gone since the scan
    }
  }
  for (auto& e : groups_[g]) {
    if (e.how != Treatment::partial) PBS_TRY(lay_out_snapshot(e, group));
  }
  view_.scan.groups.push_back(std::move(group));
  return {};
}

// As stored: links to the client-encrypted files. Built: sealed here. Unchanged: its remote
// manifest (and protection mark), nothing else to send.
Status ViewBuilder::lay_out_snapshot(ViewEntry& e, LocalGroup& group) {
  const LocalSnapshot& s = *e.local;
  LocalSnapshot vs = s;
  std::string dir = view_path(s.ref.rel_dir());
  PBS_TRY(make_dirs(dir, 0700));
  if (e.how == Treatment::as_stored) {
    for (const auto& name : s.files) {
      if (::symlink(store_.path(s.ref.rel_dir() + "/" + name).c_str(), (dir + "/" + name).c_str()) != 0 &&
          errno != EEXIST) {
        return errno_error(errno, "link into the encrypted view", dir + "/" + name);
      }
    }
  } else if (e.build) {
    auto sealed = seal_snapshot(store_, s, *key_, ChunkNames{encrypted_of_, unreadable_}, dir, *aliases_);
    if (!sealed) {
      view_.scan.problems.push_back({s.ref.rel_dir(), "not synced: " + sealed.error().message()});
      return {};
    }
    e.remote = std::move(*sealed);
    ++view_.snapshots_built;
    vs.manifest = *e.remote;
    PBS_ASSIGN(view_.sealed[s.ref.rel_dir()], read_file(dir + "/" + std::string(kManifestName)));
  } else {
    PBS_TRY(write_view_file(dir + "/" + std::string(kManifestName), e.remote_blob));
    if (s.is_protected) PBS_TRY(write_view_file(dir + "/" + std::string(kProtectedName), {}));
    vs.manifest = *e.remote;
    view_.sealed[s.ref.rel_dir()] = std::move(e.remote_blob);
  }
  group.snapshots.push_back(std::move(vs));
  return {};
}

}  // namespace

Result<EncryptedView> make_encrypted_view(const Datastore& store, const datastore::LocalScan& scan, const remote::RemoteCatalog& catalog,
                                          std::shared_ptr<const crypto::CryptKey> key,
                                          transfer::RequestInterface& requests, const remote::Remote& remote,
                                          const ViewOptions& options) {
  PBS_ASSIGN(ScratchDir dir, ScratchDir::make("pbs-s3sync-view"));
  std::string root = dir.path();
  PBS_TRY(make_dir(join_path(root, ".chunks"), 0700));
  PBS_ASSIGN(Datastore placeholder, Datastore::open(root));
  EncryptedView view{std::move(dir), std::move(placeholder), {}, 0, 0, 0, 0, {}, {}, {}};
  ViewBuilder builder(store, scan, catalog, std::move(key), requests, remote, options, view);
  PBS_ASSIGN(auto aliases, builder.run());
  view.store = Datastore::view(root, store, std::move(aliases));
  return view;
}

}  // namespace pbs::encryption
