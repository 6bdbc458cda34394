#include "check/remote_verify.h"

#include <chrono>
#include <map>
#include <unordered_map>

#include "crypto/encrypted_blob.h"
#include "crypto/sealed_manifest.h"
#include "datastore/blob.h"
#include "datastore/digest_set.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "remote/catalog.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "transfer/object_store.h"

namespace pbs::check {

using namespace datastore;

namespace {

constexpr std::size_t kMaxProblemsPerSnapshot = 20;

bool sampled(const Digest& d, double percent, std::uint64_t seed) {
  if (percent >= 100) return true;
  std::uint64_t h;
  std::memcpy(&h, d.data() + 8, sizeof h);
  h ^= seed * 0x9e3779b97f4a7c15ull;
  return double(h % 1000000) < percent * 10000;
}

}  // namespace

Result<RemoteVerifySummary> run_remote_verify(transfer::RequestInterface& requests, const remote::Remote& remote,
                                              const RemoteVerifyOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  RemoteVerifySummary summary;
  summary.target = remote.url();
  {
    transfer::ObjectStore store(requests, remote.bucket);
    PBS_TRY(store.head_bucket());
  }
  DigestSet listed;
  DigestMap<std::string> versions;  // at a point in time
  PBS_TRY(remote::list_remote(requests, remote, remote::kChunksDir, true,
                      [&](std::string_view rel, const s3::ObjectInfo& o) {
                        auto d = remote::parse_chunk_key(rel.substr(remote::kChunksDir.size()));
                        if (!d) return;
                        listed.insert(*d);
                        if (options.deep && remote.as_of) versions.emplace(*d, o.version_id);
                      }));
  summary.chunks_listed = listed.size();
  PBS_ASSIGN(remote::RemoteCatalog catalog, remote::load_catalog(requests, remote));
  if (auto junk = remote::describe_invalid_keys(catalog, remote); !junk.empty()) summary.warnings.push_back(junk);

  std::vector<const remote::RemoteSnapshot*> snaps;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!options.contains(ref.group.ns)) continue;
    if (rs.complete()) {
      snaps.push_back(&rs);
    } else {
      ++summary.snapshots_unfinished;
    }
  }
  summary.snapshots = snaps.size();
  std::vector<std::vector<std::string>> problems(snaps.size());
  auto problem = [&](std::size_t i, std::string text) {
    if (problems[i].size() < kMaxProblemsPerSnapshot) problems[i].push_back(std::move(text));
  };
  DigestSet referenced;
  DigestSet keyed_chunks;  // chunks of snapshots this tool encrypted with the key: decrypted with --deep
  std::vector<bool> keyed(snaps.size());
  std::unordered_map<std::string, std::vector<std::size_t>> deep_users;  // chunk key -> snapshots

  std::size_t next = 0;
  std::size_t limit = transfer::submit_depth(requests);
  std::function<void()> pump;
  auto on_index = [&](std::size_t i, const std::string& name, const ManifestFile& entry,
                      Result<s3::Response> r) {
    std::string key = remote.key(remote::snapshot_file_rel_key(snaps[i]->ref, name));
    if (!r || r->status != 200) {
      problem(i, key + ": " + (r ? "missing" : r.error().message()));
      return;
    }
    if (auto st = check_manifest_file(entry, r->body); !st) {
      problem(i, key + ": " + st.error().message());
      return;
    }
    auto ix = parse_index(r->body);
    if (!ix) return;
    for (const auto& d : ix->digests) {
      bool fresh = referenced.insert(d);
      if (!listed.contains(d)) {
        if (fresh) ++summary.chunks_missing;
        problem(i, "missing chunk " + remote.key(remote::chunk_rel_key(d)));
      } else if (options.deep && sampled(d, options.sample_percent, options.seed)) {
        if (keyed[i]) keyed_chunks.insert(d);
        auto& users = deep_users[remote::chunk_rel_key(d)];
        if (users.empty() || users.back() != i) users.push_back(i);
      }
    }
  };
  auto on_manifest = [&](std::size_t i, Result<s3::Response> r) {
    const auto& ref = snaps[i]->ref;
    std::string key = remote.key(remote::snapshot_file_rel_key(ref, kManifestName));
    if (!r || r->status != 200) return problem(i, key + ": " + (r ? "vanished" : r.error().message()));
    auto m = parse_manifest_blob(r->body);
    if (!m) return problem(i, key + ": " + m.error().message());
    if (options.key && m->unprotected.contains(std::string(crypto::kSyncSourceField))) {
      if (auto st = crypto::check_manifest_signature(*options.key, *m); !st) return problem(i, key + ": " + st.error().message());
      keyed[i] = true;
    }
    auto shared = std::make_shared<Manifest>(std::move(*m));
    for (const auto& f : shared->files) {
      auto kind = snapshot_file_kind(f.filename);
      auto it = snaps[i]->files.find(f.filename);
      if (it == snaps[i]->files.end()) {
        problem(i, remote.key(remote::snapshot_file_rel_key(ref, f.filename)) + ": listed in the manifest but missing");
        continue;
      }
      if (!kind || !is_index_kind(*kind)) {
        if (it->second.size != f.size) {
          problem(i, remote.key(remote::snapshot_file_rel_key(ref, f.filename)) + ": size " +
                         std::to_string(it->second.size) + ", manifest says " + std::to_string(f.size));
        }
        continue;
      }
      auto sink = transfer::Sink::in_memory(remote::kMaxSnapshotFileSize);
      requests.submit(remote::remote_get(remote, remote::snapshot_file_rel_key(ref, f.filename), snaps[i]->version(f.filename)), sink,
                    [&, i, shared, name = f.filename](Result<s3::Response> ir) {
                      on_index(i, name, *shared->find(name), std::move(ir));
                      pump();
                    });
    }
  };
  pump = [&] {
    while (next < snaps.size() && requests.outstanding() < limit) {
      std::size_t i = next++;
      requests.submit(remote::remote_get(remote, remote::snapshot_file_rel_key(snaps[i]->ref, kManifestName), snaps[i]->version(kManifestName)),
                    [&, i](Result<s3::Response> r) {
                      on_manifest(i, std::move(r));
                      pump();
                    });
    }
  };
  pump();
  requests.run_until([&] { return next == snaps.size() && requests.outstanding() == 0; });
  summary.chunks_referenced = referenced.size();

  if (options.deep) {
    std::vector<std::string> keys;
    for (const auto& [k, users] : deep_users) keys.push_back(k);
    std::size_t at = 0;
    std::function<void()> fetch = [&] {
      while (at < keys.size() && requests.outstanding() < limit) {
        const std::string& rel = keys[at++];
        auto sink = transfer::Sink::in_memory(remote::kMaxChunkObjectSize);
        Digest d{};
        (void)parse_digest(rel.substr(rel.rfind('/') + 1), d);
        const std::string* version = versions.find(d);
        requests.submit(remote::remote_get(remote, rel, version ? *version : std::string()), sink, [&, rel, d](Result<s3::Response> r) {
          ++summary.chunks_downloaded;
          std::string why;
          if (!r) {
            why = r.error().message();
          } else if (r->status != 200) {
            why = "vanished";
          } else if (auto c = check_chunk(r->body, d); !c) {
            why = c.error().message();
          } else if (keyed_chunks.contains(d)) {
            auto plain = crypto::decode_any_blob(*options.key, r->body, kMaxChunkSize);
            if (!plain) {
              why = plain.error().message();
            } else if (options.key->chunk_digest(*plain) != d) {
              why = "its plaintext does not have its name (SHA-256(plaintext || id_key))";
            } else {
              ++summary.chunks_decrypted;
            }
          }
          if (!why.empty()) {
            ++summary.chunks_bad;
            for (auto i : deep_users[rel]) problem(i, "damaged chunk " + remote.key(rel) + ": " + why);
          }
          fetch();
        });
      }
    };
    fetch();
    requests.run_until([&] { return at == keys.size() && requests.outstanding() == 0; });
  }
  for (std::size_t i = 0; i < snaps.size(); ++i) {
    if (problems[i].empty()) {
      ++summary.snapshots_ok;
    } else {
      summary.failed.push_back({snaps[i]->ref.rel_dir(), std::move(problems[i])});
    }
  }
  summary.counters = requests.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace pbs::check
