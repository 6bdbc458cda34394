#include "check/remote_verify.h"

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "crypto/encrypted_blob.h"
#include "crypto/sealed_manifest.h"
#include "datastore/blob.h"
#include "datastore/digest_set.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "remote/chunk_listing.h"
#include "remote/fetch_each.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "remote/snapshot_reader.h"
#include "transfer/object_store.h"

namespace pbs::check {

using namespace datastore;

namespace {

constexpr std::size_t kMaxProblemsPerSnapshot = 20;
// Flags of a listed chunk (remote::ChunkListing).
constexpr std::uint8_t kReferenced = 1;  // an index of a checked snapshot names it
constexpr std::uint8_t kDeep = 2;        // --deep downloads it (sampled)
constexpr std::uint8_t kKeyed = 4;       // a snapshot this tool encrypted with the key names it: decrypted

bool sampled(const Digest& d, double percent, std::uint64_t seed) {
  if (percent >= 100) return true;
  std::uint64_t h;
  std::memcpy(&h, d.data() + 8, sizeof h);
  h ^= seed * 0x9e3779b97f4a7c15ull;
  return double(h % 1000000) < percent * 10000;
}

class RemoteVerify {
 public:
  RemoteVerify(transfer::RequestInterface& requests, const remote::Remote& remote, const RemoteVerifyOptions& options)
      : requests_(requests), remote_(remote), options_(options) {}

  Result<RemoteVerifySummary> run();

 private:
  void problem(std::size_t i, std::string text) {
    if (problems_[i].size() < kMaxProblemsPerSnapshot) problems_[i].push_back(std::move(text));
  }
  std::string key(std::size_t i, std::string_view file) const {
    return remote_.key(remote::snapshot_file_rel_key(snaps_[i].snapshot->ref, file));
  }
  Status read_snapshots();
  std::vector<std::string> on_manifest(std::size_t i, Result<remote::ManifestRead> m);
  void on_index(std::size_t i, const std::string& name, Result<std::vector<std::uint8_t>> bytes);
  void check_chunks(std::size_t i, const IndexFile& index);
  Status download_sampled();
  Status make_archived_readable(std::vector<remote::ChunkListing::Slot>& todo);
  std::string check_download(const Digest& d, bool keyed, const Result<s3::Response>& r);
  Status name_damaged_users();
  void tally();

  transfer::RequestInterface& requests_;
  const remote::Remote& remote_;
  const RemoteVerifyOptions& options_;
  RemoteVerifySummary summary_;
  remote::ChunkListing listed_;
  std::vector<remote::SnapshotToRead> snaps_;
  std::vector<std::vector<std::string>> problems_;
  std::vector<bool> keyed_;  // per snapshot: encrypted by this tool with the key
  // Manifests of the snapshots whose indexes are on their way, freed when the last arrives.
  std::map<std::size_t, std::pair<std::shared_ptr<Manifest>, std::size_t>> open_;
  DigestSet missing_;
  std::map<Digest, std::string> damaged_;  // --deep: chunk -> why (few: a set apart from the listing)
  std::set<std::pair<std::size_t, Digest>> named_;  // (snapshot, damaged chunk) reported once
};

Result<RemoteVerifySummary> RemoteVerify::run() {
  auto t0 = std::chrono::steady_clock::now();
  summary_.target = remote_.url();
  PBS_TRY(transfer::ObjectStore(requests_, remote_.bucket).head_bucket());
  PBS_ASSIGN(listed_, remote::ChunkListing::list(requests_, remote_, {options_.deep && remote_.as_of, options_.deep, options_.deep}));
  summary_.chunks_listed = listed_.size();
  PBS_ASSIGN(remote::RemoteCatalog catalog, remote::load_catalog(requests_, remote_));
  if (auto junk = remote::describe_invalid_keys(catalog, remote_); !junk.empty()) summary_.warnings.push_back(junk);
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!options_.contains(ref.group.ns)) continue;
    if (rs.complete()) {
      snaps_.push_back({&rs, nullptr});
    } else {
      ++summary_.snapshots_unfinished;
    }
  }
  summary_.snapshots = snaps_.size();
  // "0 of 0 complete" would pass a monitoring check on a mistyped prefix.
  if (snaps_.empty()) return Error(Errc::invalid_argument, remote::nothing_there(remote_, "verify"));
  problems_.resize(snaps_.size());
  keyed_.resize(snaps_.size());
  PBS_TRY(read_snapshots());
  summary_.chunks_referenced = listed_.count_with_flags(kReferenced) + missing_.size();
  if (options_.deep) PBS_TRY(download_sampled());
  if (!damaged_.empty()) PBS_TRY(name_damaged_users());
  tally();
  summary_.counters = requests_.counters();
  summary_.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return std::move(summary_);
}

Status RemoteVerify::read_snapshots() {
  return remote::read_snapshots(
      requests_, remote_, snaps_,
      [this](std::size_t i, Result<remote::ManifestRead> m) { return on_manifest(i, std::move(m)); },
      [this](std::size_t i, const std::string& name, Result<std::vector<std::uint8_t>> b) {
        on_index(i, name, std::move(b));
      });
}

// Every file the manifest lists must be there (indexes are fetched and checked, the others by
// size); a manifest this tool encrypted must be signed with the key.
std::vector<std::string> RemoteVerify::on_manifest(std::size_t i, Result<remote::ManifestRead> m) {
  if (!m) {
    problem(i, m.error().message());
    return {};
  }
  const Manifest& manifest = m->manifest;
  if (options_.key && manifest.unprotected.contains(std::string(crypto::kSyncSourceField))) {
    if (auto st = crypto::check_manifest_signature(*options_.key, manifest); !st) {
      problem(i, key(i, kManifestName) + ": " + st.error().message());
      return {};
    }
    keyed_[i] = true;
  }
  std::vector<std::string> fetch;
  const auto& stored = snaps_[i].snapshot->files;
  for (const auto& f : manifest.files) {
    auto it = stored.find(f.filename);
    auto kind = snapshot_file_kind(f.filename);
    if (it == stored.end()) {
      problem(i, key(i, f.filename) + ": listed in the manifest but missing");
    } else if (kind && is_index_kind(*kind)) {
      fetch.push_back(f.filename);
    } else if (it->second.size != f.size) {
      problem(i, key(i, f.filename) + ": size " + std::to_string(it->second.size) + ", manifest says " +
                     std::to_string(f.size));
    }
  }
  if (!fetch.empty()) open_[i] = {std::make_shared<Manifest>(std::move(m->manifest)), fetch.size()};
  return fetch;
}

void RemoteVerify::on_index(std::size_t i, const std::string& name, Result<std::vector<std::uint8_t>> bytes) {
  auto& [manifest, pending] = open_.at(i);
  if (!bytes) {
    problem(i, bytes.error().message());
  } else if (auto st = check_manifest_file(*manifest->find(name), *bytes); !st) {
    problem(i, key(i, name) + ": " + st.error().message());
  } else if (auto index = parse_index(*bytes)) {
    check_chunks(i, *index);
  }
  if (--pending == 0) open_.erase(i);
}

void RemoteVerify::check_chunks(std::size_t i, const IndexFile& index) {
  for (const auto& d : index.digests) {
    auto slot = listed_.find(d);
    if (!slot) {
      if (missing_.insert(d)) ++summary_.chunks_missing;
      problem(i, "missing chunk " + remote_.key(remote::chunk_rel_key(d)));
      continue;
    }
    std::uint8_t& flags = listed_.flags(*slot);
    flags |= kReferenced;
    if (options_.deep && sampled(d, options_.sample_percent, options_.seed)) {
      flags |= kDeep;
      if (keyed_[i]) flags |= kKeyed;
    }
  }
}

Status RemoteVerify::download_sampled() {
  auto todo = listed_.with_flags(kDeep);
  PBS_TRY(make_archived_readable(todo));
  return remote::fetch_each(
      requests_, todo.size(),
      [&](std::size_t n) {
        auto s = todo[n];
        return std::pair{remote::remote_get(remote_, remote::chunk_rel_key(listed_.digest(s)), listed_.version(s)),
                         transfer::Sink::in_memory(remote::kMaxChunkObjectSize)};
      },
      [&](std::size_t n, Result<s3::Response> r) {
        if (!r && r.error().code() == Errc::archived) return void(++summary_.chunks_archived);
        ++summary_.chunks_downloaded;
        const Digest& d = listed_.digest(todo[n]);
        std::string why = check_download(d, listed_.flags(todo[n]) & kKeyed, r);
        if (why.empty()) return;
        ++summary_.chunks_bad;
        damaged_.emplace(d, std::move(why));
      });
}

// Sampled chunks in an archive class: asked for and waited for with --restore-tier (and friends);
// otherwise, or while they are not readable yet, left out of `todo` and counted.
Status RemoteVerify::make_archived_readable(std::vector<remote::ChunkListing::Slot>& todo) {
  std::vector<thaw::ArchivedObject> objects;
  for (auto s : todo) {
    if (listed_.archived(s)) objects.push_back({remote_.key(remote::chunk_rel_key(listed_.digest(s))), listed_.size(s), listed_.version(s)});
  }
  if (objects.empty()) return {};
  if (options_.thaw.look_first) {
    summary_.thaw.emplace();
    auto st = thaw::make_readable(requests_, remote_, std::move(objects), options_.thaw, false, options_.interrupted,
                                  *summary_.thaw, summary_.errors);
    if (!st && st.error().code() == Errc::config) return st;
    if (!st) summary_.errors.push_back({summary_.target, st.error().message()});
    if (st && summary_.thaw->waiting == 0) return {};
  }
  std::erase_if(todo, [&](remote::ChunkListing::Slot s) {
    bool archived = listed_.archived(s);
    summary_.chunks_archived += archived;
    return archived;
  });
  return {};
}

// Why the downloaded chunk is damaged, or "" when it checks as restore checks it.
std::string RemoteVerify::check_download(const Digest& d, bool keyed, const Result<s3::Response>& r) {
  if (!r) return r.error().message();
  if (r->status != 200) return "vanished";
  if (auto c = check_chunk(r->body, d); !c) return c.error().message();
  if (!keyed) return "";
  auto plain = crypto::decode_any_blob(*options_.key, r->body, kMaxChunkSize);
  if (!plain) return plain.error().message();
  if (options_.key->chunk_digest(*plain) != d) return "its plaintext does not have its name (SHA-256(plaintext || id_key))";
  ++summary_.chunks_decrypted;
  return "";
}

// Damaged chunks are rare: the snapshots that name them are found by reading the indexes again,
// rather than by keeping every snapshot a sampled chunk belongs to.
Status RemoteVerify::name_damaged_users() {
  return remote::read_snapshots(
      requests_, remote_, snaps_,
      [](std::size_t, Result<remote::ManifestRead> m) {
        return m ? remote::index_files(m->manifest) : std::vector<std::string>{};
      },
      [this](std::size_t i, const std::string&, Result<std::vector<std::uint8_t>> bytes) {
        auto index = bytes ? parse_index(*bytes) : Result<IndexFile>(bytes.error());
        if (!index) return;
        for (const auto& d : index->digests) {
          auto bad = damaged_.find(d);
          if (bad == damaged_.end() || !named_.emplace(i, d).second) continue;
          problem(i, "damaged chunk " + remote_.key(remote::chunk_rel_key(d)) + ": " + bad->second);
        }
      });
}

void RemoteVerify::tally() {
  for (std::size_t i = 0; i < snaps_.size(); ++i) {
    if (problems_[i].empty()) {
      ++summary_.snapshots_ok;
    } else {
      summary_.failed.push_back({snaps_[i].snapshot->ref.rel_dir(), std::move(problems_[i])});
    }
  }
}

}  // namespace

Result<RemoteVerifySummary> run_remote_verify(transfer::RequestInterface& requests, const remote::Remote& remote,
                                              const RemoteVerifyOptions& options) {
  return RemoteVerify(requests, remote, options).run();
}

}  // namespace pbs::check
