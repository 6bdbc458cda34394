#include "datastore/local_verify.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "datastore/blob.h"
#include "datastore/digest_set.h"
#include "util/file_io.h"

namespace pbs::datastore {

namespace {

struct BadChunk {
  Digest digest;
  std::string message;
};

// Checks every digest once, spread over `threads` workers (hashing and zstd are CPU-bound).
std::vector<BadChunk> check_chunks(const Datastore& store, const std::vector<Digest>& digests,
                                   unsigned threads, std::uint64_t& bytes_read) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0};
  std::mutex mu;
  std::vector<BadChunk> bad;
  auto worker = [&] {
    std::vector<std::uint8_t> buf;
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= digests.size()) return;
      const Digest& d = digests[i];
      std::string message;
      auto st = read_file_into(store.chunk_path(d), buf, kMaxChunkSize + 4096);
      if (!st) {
        message = st.error().code() == Errc::not_found ? "chunk file missing" : st.error().message();
      } else if (buf.empty()) {
        message = "chunk file is empty (0 bytes)";
      } else if (auto check = check_chunk(buf, d); !check) {
        message = check.error().message();
      }
      bytes += buf.size();
      if (!message.empty()) {
        std::lock_guard lock(mu);
        bad.push_back(BadChunk{d, std::move(message)});
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  bytes_read = bytes;
  std::sort(bad.begin(), bad.end(),
            [](const BadChunk& a, const BadChunk& b) { return a.digest < b.digest; });
  return bad;
}

// The snapshot files the walk found: each listed file there and matching its manifest entry;
// the digests of good indexes collected.
struct SnapshotChecks {
  SnapshotChecks(const Datastore& s, LocalVerifyReport& r) : store(s), report(r) {}

  const Datastore& store;
  LocalVerifyReport& report;
  DigestSet referenced;
  // Index files that passed their checks, to name the snapshots a bad chunk belongs to.
  std::vector<std::pair<SnapshotRef, std::string>> good_indexes;
  std::vector<std::string> failed_snapshots;
  std::vector<std::uint8_t> bytes;

  void check_file(const SnapshotRef& ref, const ManifestFile& file) {
    std::string path = store.path(ref.rel_dir()) + "/" + file.filename;
    auto read = store.read_snapshot_file(ref, file.filename, bytes);
    if (!read) {
      std::string why = read.error().code() == Errc::not_found ? "listed in the manifest but missing" : read.error().message();
      report.problems.push_back({path, why, {}});
      return;
    }
    if (auto st = check_manifest_file(file, bytes); !st) {
      report.problems.push_back({path, st.error().message(), {}});
      return;
    }
    auto kind = snapshot_file_kind(file.filename);
    if (!kind || !is_index_kind(*kind)) return;
    auto index = parse_index(bytes);  // cannot fail: check_manifest_file parsed it
    if (!index) return;
    for (const auto& d : index->digests) referenced.insert(d);
    good_indexes.emplace_back(ref, file.filename);
  }

  void check_snapshot(const SnapshotInfo& snap) {
    ++report.snapshots;
    std::size_t problems_before = report.problems.size();
    auto manifest = store.read_manifest(snap.ref);
    if (!manifest) {
      report.problems.push_back({store.path(snap.ref.rel_dir()) + "/index.json.blob", manifest.error().message(), {}});
      return;
    }
    for (const auto& file : manifest->files) check_file(snap.ref, file);
    if (report.problems.size() == problems_before) {
      ++report.snapshots_ok;
    } else {
      failed_snapshots.push_back(snap.ref.rel_dir());
    }
  }

  // Second pass, only when something is wrong: which snapshots reference the bad chunks.
  void name_users(const std::vector<BadChunk>& bad) {
    std::map<Digest, std::vector<std::string>> affected;
    for (const auto& b : bad) affected[b.digest];
    std::map<std::string, bool> snapshot_failed;
    for (const auto& [ref, name] : good_indexes) {
      auto index = store.read_index(ref, name);
      if (!index) continue;
      for (const auto& d : index->digests) {
        auto it = affected.find(d);
        if (it == affected.end()) continue;
        std::string snap = ref.rel_dir();
        if (it->second.empty() || it->second.back() != snap) it->second.push_back(snap);
        snapshot_failed[snap] = true;
      }
    }
    for (const auto& b : bad) report.problems.push_back({store.chunk_path(b.digest), b.message, affected[b.digest]});
    for (const auto& [snap, failed] : snapshot_failed) {
      if (failed && std::find(failed_snapshots.begin(), failed_snapshots.end(), snap) == failed_snapshots.end()) {
        --report.snapshots_ok;
      }
    }
  }
};

}  // namespace

Result<LocalVerifyReport> verify_datastore(const Datastore& store, const LocalVerifyOptions& options) {
  LocalVerifyReport report;
  SnapshotChecks checks(store, report);
  WalkVisitor visitor;
  visitor.on_group = [&](const GroupRef&, std::vector<SnapshotInfo>&& snaps) -> Status {
    for (const auto& snap : snaps) {
      if (snap.finished) checks.check_snapshot(snap);
    }
    return {};
  };
  PBS_TRY(store.walk(options.anchor, options.max_depth, visitor));
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  auto digests = checks.referenced.to_vector();
  report.chunks = digests.size();
  auto bad = check_chunks(store, digests, threads, report.chunk_bytes);
  report.chunks_bad = bad.size();
  if (!bad.empty()) checks.name_users(bad);
  return report;
}

}  // namespace pbs::datastore
