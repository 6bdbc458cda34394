#include "encryption/encrypted_view.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "crypto/encrypted_blob.h"
#include "crypto/sealed_manifest.h"
#include "datastore/blob.h"
#include "datastore/digest_set.h"
#include "datastore/index_file.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "util/base64.h"

namespace pbs::encryption {

using namespace datastore;

namespace {

enum class Treatment { encrypt, as_stored, partial };

Treatment treatment(const Manifest& m) {
  std::size_t encrypted = 0;
  for (const auto& f : m.files) encrypted += f.crypt_mode == "encrypt";
  if (encrypted == 0) return Treatment::encrypt;  // none and sign-only: plain chunks, sealed here
  return encrypted == m.files.size() ? Treatment::as_stored : Treatment::partial;
}

// One local snapshot and what the view makes of it.
struct Entry {
  const datastore::LocalSnapshot* local = nullptr;
  Treatment how = Treatment::encrypt;
  // The remote snapshot, complete, signed with the key and made from this local manifest.
  std::optional<Manifest> remote;
  std::vector<std::uint8_t> remote_blob;
  bool build = false;  // its files are made in this run
  const Entry* source = nullptr;  // the remote snapshot whose indexes name its chunks
};

Status write_view_file(const std::string& path, std::span<const std::uint8_t> bytes) {
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  return write_all(fd.get(), bytes, path);
}

Status copy_into_view(const std::string& from, const std::string& to) {
  PBS_ASSIGN(auto bytes, read_file(from));
  return write_view_file(to, bytes);
}

class ViewBuilder {
 public:
  ViewBuilder(const Datastore& store, const datastore::LocalScan& scan, const remote::RemoteCatalog& catalog,
              std::shared_ptr<const crypto::CryptKey> key, transfer::RequestInterface& requests, const remote::Remote& remote,
              const ViewOptions& options, EncryptedView& view)
      : store_(store), scan_(scan), catalog_(catalog), key_(std::move(key)), requests_(requests), remote_(remote),
        options_(options), view_(view) {}

  Result<std::shared_ptr<DigestMap<Digest>>> run();

 private:
  std::string view_path(const std::string& rel) const { return join_path(view_.dir.path(), rel); }
  Status fetch_remote_manifests();
  void choose_work();
  Status fetch_sources();
  Status line_up(const Entry& e, const ManifestFile& entry, std::span<const std::uint8_t> remote_index);
  Status name_unknown_chunks();
  Status build_snapshot(Entry& e);
  Status lay_out();

  const Datastore& store_;
  const datastore::LocalScan& scan_;
  const remote::RemoteCatalog& catalog_;
  std::shared_ptr<const crypto::CryptKey> key_;
  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  ViewOptions options_;
  EncryptedView& view_;
  std::vector<std::vector<Entry>> groups_;  // per scan group, its snapshots' entries
  DigestMap<Digest> encrypted_of_;          // plain digest -> encrypted name
  std::map<Digest, std::string> unreadable_;  // plain chunks that cannot be sealed, and why
  std::shared_ptr<DigestMap<Digest>> aliases_ = std::make_shared<DigestMap<Digest>>();
};

Result<std::shared_ptr<DigestMap<Digest>>> ViewBuilder::run() {
  groups_.resize(scan_.groups.size());
  for (std::size_t g = 0; g < scan_.groups.size(); ++g) {
    for (const auto& s : scan_.groups[g].snapshots) {
      Entry e;
      e.local = &s;
      e.how = treatment(s.manifest);
      if (e.how == Treatment::partial) {
        view_.warnings.push_back("snapshot " + s.ref.rel_dir() + " is partially encrypted: not synced (PBS refuses "
                                 "to re-encrypt such snapshots too)");
      }
      groups_[g].push_back(std::move(e));
    }
  }
  PBS_TRY(fetch_remote_manifests());
  choose_work();
  PBS_TRY(fetch_sources());
  PBS_TRY(name_unknown_chunks());
  PBS_TRY(lay_out());
  return aliases_;
}

// The manifests of complete remote snapshots of plain local ones: which were made from the local
// snapshot as it is now (nothing to do), or from it before its manifest changed.
Status ViewBuilder::fetch_remote_manifests() {
  std::optional<Error> failure;
  for (auto& group : groups_) {
    for (auto& e : group) {
      const remote::RemoteSnapshot* rs = catalog_.snapshot(e.local->ref);
      if (e.how != Treatment::encrypt || !rs || !rs->complete()) continue;
      std::string rel = remote::snapshot_file_rel_key(e.local->ref, kManifestName);
      requests_.submit(remote::remote_get(remote_, rel, rs->version(kManifestName)), [this, &e, rel, &failure](Result<s3::Response> r) {
        if (!r) {
          if (!failure) failure = std::move(r).error();
          return;
        }
        auto m = parse_manifest_blob(r->body);
        // Not this tool's with this key (or damaged): it is made again, and its files compared.
        if (!m || !crypto::check_manifest_signature(*key_, *m)) return;
        auto source = m->unprotected.find(std::string(crypto::kSyncSourceField));
        if (source == m->unprotected.end() || !source->is_string()) return;
        if (source->get<std::string>() != crypto::signature_or_empty(*key_, e.local->manifest)) return;
        e.remote = std::move(*m);
        e.remote_blob = std::move(r->body);
      });
    }
  }
  requests_.run_until([&] { return requests_.outstanding() == 0; });
  if (failure) return std::move(*failure);
  return {};
}

// A snapshot is made again unless its remote copy came from it and is what it would be made now
// (its manifest unchanged). Its chunks are named by the closest older remote copy of its group
// (the one it shares most with), else the newest.
void ViewBuilder::choose_work() {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    auto& group = groups_[g];
    for (auto& e : group) {
      if (e.how != Treatment::encrypt) continue;
      if (e.remote && !options_.full) {
        std::vector<std::uint8_t> plain;
        if (!store_.read_snapshot_file(e.local->ref, kManifestName, plain)) {
          e.build = true;
        } else {
          auto again = crypto::encrypt_manifest(*key_, e.local->manifest, plain, e.remote->files);
          e.build = !again || encode_manifest_blob(*again) != e.remote_blob;
        }
      } else {
        e.build = true;
      }
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      Entry& e = group[i];
      if (!e.build) continue;
      if (e.remote) {
        e.source = &e;
        continue;
      }
      const Entry* newest = nullptr;
      for (std::size_t j = group.size(); j-- > 0 && !e.source;) {
        if (!group[j].remote) continue;
        if (!newest) newest = &group[j];
        if (group[j].local->ref.time < e.local->ref.time) e.source = &group[j];
      }
      if (!e.source) e.source = newest;
    }
  }
}

// The remote indexes of the chosen sources, kept in the view (their chunks are then proven, as a
// complete snapshot's are) and lined up with the local ones.
Status ViewBuilder::fetch_sources() {
  std::set<const Entry*> sources;
  for (const auto& group : groups_) {
    for (const auto& e : group) {
      if (e.build && e.source) sources.insert(e.source);
    }
  }
  for (const Entry* src : sources) PBS_TRY(make_dirs(view_path(src->local->ref.rel_dir()), 0700));
  for (const Entry* src : sources) {
    const remote::RemoteSnapshot* rs = catalog_.snapshot(src->local->ref);
    for (const auto& f : src->remote->files) {
      auto kind = snapshot_file_kind(f.filename);
      if (!kind || !is_index_kind(*kind)) continue;
      std::string rel = remote::snapshot_file_rel_key(src->local->ref, f.filename);
      // A source that cannot be read names nothing: its chunks are read locally instead.
      requests_.submit(remote::remote_get(remote_, rel, rs->version(f.filename)), transfer::Sink::in_memory(remote::kMaxSnapshotFileSize),
                       [this, src, f](Result<s3::Response> r) {
        // Only an index its signed manifest vouches for names chunks.
        if (!r || !check_manifest_file(f, r->body) || !line_up(*src, f, r->body)) return;
        (void)write_view_file(view_path(src->local->ref.rel_dir() + "/" + f.filename), r->body);
      });
    }
  }
  requests_.run_until([&] { return requests_.outstanding() == 0; });
  view_.chunks_named = encrypted_of_.size();
  return {};
}

Status ViewBuilder::line_up(const Entry& e, const ManifestFile& entry, std::span<const std::uint8_t> remote_index) {
  PBS_ASSIGN(IndexFile sealed, parse_index(remote_index));
  PBS_ASSIGN(IndexFile plain, store_.read_index(e.local->ref, entry.filename));
  // The local index must be the one the source manifest (which the remote one came from) lists.
  const ManifestFile* listed = e.local->manifest.find(entry.filename);
  bool same_shape = listed && listed->csum == plain.compute_csum() && sealed.kind == plain.kind &&
                    sealed.size == plain.size && sealed.chunk_size == plain.chunk_size &&
                    sealed.digests.size() == plain.digests.size() && sealed.ends == plain.ends;
  if (!same_shape) return Error(Errc::corrupt, "remote index does not line up with the local one");
  for (std::size_t i = 0; i < plain.digests.size(); ++i) encrypted_of_.emplace(plain.digests[i], sealed.digests[i]);
  return {};
}

// Reads the chunks no remote index names, on worker threads, to learn their encrypted names.
Status ViewBuilder::name_unknown_chunks() {
  DigestSet wanted;
  std::vector<Digest> todo;
  for (const auto& group : groups_) {
    for (const auto& e : group) {
      if (!e.build) continue;
      (void)datastore::for_each_index(store_, *e.local, [&](const std::vector<Digest>& digests) {
        for (const auto& d : digests) {
          if (!encrypted_of_.contains(d) && wanted.insert(d)) todo.push_back(d);
        }
      });
    }
  }
  std::vector<Digest> names(todo.size());
  std::mutex mu;  // guards `failed`: few entries, so a map beside the names, not a slot per chunk
  std::map<std::size_t, Error> failed;
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0};
  auto work = [&] {
    std::vector<std::uint8_t> buffer;
    Sha256 h;
    for (std::size_t i; (i = next.fetch_add(1)) < todo.size();) {
      std::string path = store_.chunk_path(todo[i]);
      auto st = read_file_into(path, buffer);
      Result<std::uint64_t> decoded = std::uint64_t(0);
      if (st) {
        bytes += buffer.size();
        decoded = decode_blob_stream(buffer, kMaxChunkSize, [&](std::span<const std::uint8_t> p) { h.update(p); });
      }
      names[i] = key_->finish_chunk_digest(h);  // resets `h` for the next chunk either way
      if (!st || !decoded) {
        std::lock_guard lock(mu);
        failed.emplace(i, !st ? std::move(st).error() : std::move(decoded).error());
      }
    }
  };
  unsigned n = std::max(1u, std::min<unsigned>(options_.threads, unsigned(todo.size() / 64 + 1)));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < todo.size(); ++i) {
    auto bad = failed.find(i);
    if (bad == failed.end()) {
      encrypted_of_.emplace(todo[i], names[i]);
    } else {
      std::string why = bad->second.code() == Errc::not_found ? "is missing locally" : bad->second.message();
      unreadable_.emplace(todo[i], "chunk " + store_.chunk_path(todo[i]) + " " + why);
    }
  }
  view_.chunks_read = todo.size();
  view_.bytes_read = bytes;
  return {};
}

// Writes the snapshot's sealed files and manifest into the view; its chunks become aliases.
Status ViewBuilder::build_snapshot(Entry& e) {
  const datastore::LocalSnapshot& s = *e.local;
  std::string dir = view_path(s.ref.rel_dir());
  PBS_TRY(make_dirs(dir, 0700));
  std::vector<ManifestFile> files;
  std::vector<Digest> names;
  for (const auto& f : s.manifest.files) {
    ManifestFile sealed = f;
    sealed.crypt_mode = "encrypt";
    std::vector<std::uint8_t> bytes;
    auto kind = snapshot_file_kind(f.filename);
    if (kind && is_index_kind(*kind)) {
      PBS_ASSIGN(IndexFile index, store_.read_index(s.ref, f.filename));
      for (auto& d : index.digests) {
        if (auto bad = unreadable_.find(d); bad != unreadable_.end()) return Error(Errc::corrupt, bad->second);
        const Digest* name = encrypted_of_.find(d);
        if (!name) return Error(Errc::corrupt, "chunk " + digest_hex(d) + " has no encrypted name");
        aliases_->emplace(*name, d);
        d = *name;
      }
      sealed.csum = index.compute_csum();
      PBS_ASSIGN(bytes, encode_index(index));
    } else {
      PBS_TRY(store_.read_snapshot_file(s.ref, f.filename, bytes));
      PBS_ASSIGN(bytes, crypto::seal_blob(*key_, bytes, key_->derive_iv(sha256(bytes))));
      sealed.size = bytes.size();
      sealed.csum = sha256(bytes);
    }
    PBS_TRY(write_view_file(dir + "/" + f.filename, bytes));
    files.push_back(std::move(sealed));
  }
  // The files the manifest does not list: the client log is sealed too, .protected is a marker.
  for (const auto& name : s.files) {
    if (name == kManifestName || s.manifest.find(name)) continue;
    std::vector<std::uint8_t> bytes;
    if (name != kProtectedName) {
      PBS_TRY(store_.read_snapshot_file(s.ref, name, bytes));
      PBS_ASSIGN(bytes, crypto::seal_blob(*key_, bytes, key_->derive_iv(sha256(bytes))));
    }
    PBS_TRY(write_view_file(dir + "/" + name, bytes));
  }
  std::vector<std::uint8_t> plain;
  PBS_TRY(store_.read_snapshot_file(s.ref, kManifestName, plain));
  PBS_ASSIGN(Manifest m, crypto::encrypt_manifest(*key_, s.manifest, plain, std::move(files)));
  PBS_TRY(write_view_file(dir + "/" + std::string(kManifestName), encode_manifest_blob(m)));
  e.remote = std::move(m);  // the manifest the view's snapshot has
  ++view_.snapshots_built;
  return {};
}

// The view's tree: namespaces, group files, and every snapshot as it is to be stored.
Status ViewBuilder::lay_out() {
  datastore::LocalScan& out = view_.scan;
  out.namespaces = scan_.namespaces;
  out.unfinished = scan_.unfinished;
  out.filtered = scan_.filtered;
  out.problems = scan_.problems;
  for (std::size_t g = 0; g < scan_.groups.size(); ++g) {
    const datastore::LocalGroup& lg = scan_.groups[g];
    datastore::LocalGroup group = lg;
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
      const datastore::LocalSnapshot& s = *e.local;
      if (e.how == Treatment::partial) continue;
      datastore::LocalSnapshot vs = s;
      std::string dir = view_path(s.ref.rel_dir());
      PBS_TRY(make_dirs(dir, 0700));
      if (e.how == Treatment::as_stored) {
        for (const auto& name : s.files) {
          if (::symlink(store_.path(s.ref.rel_dir() + "/" + name).c_str(), (dir + "/" + name).c_str()) != 0 && errno != EEXIST) {
            return errno_error(errno, "link into the encrypted view", dir + "/" + name);
          }
        }
      } else if (e.build) {
        if (auto st = build_snapshot(e); !st) {
          out.problems.push_back({s.ref.rel_dir(), "not synced: " + st.error().message()});
          continue;
        }
        vs.manifest = *e.remote;
      } else {
        PBS_TRY(write_view_file(dir + "/" + std::string(kManifestName), e.remote_blob));
        if (s.is_protected) PBS_TRY(write_view_file(dir + "/" + std::string(kProtectedName), {}));
        vs.manifest = *e.remote;
      }
      group.snapshots.push_back(std::move(vs));
    }
    out.groups.push_back(std::move(group));
  }
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
  EncryptedView view{std::move(dir), std::move(placeholder), {}, 0, 0, 0, 0, {}};
  ViewBuilder builder(store, scan, catalog, std::move(key), requests, remote, options, view);
  PBS_ASSIGN(auto aliases, builder.run());
  view.store = Datastore::view(root, store, std::move(aliases));
  return view;
}

}  // namespace pbs::encryption
