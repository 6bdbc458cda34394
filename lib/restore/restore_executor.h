#pragma once
// Carries out a restore plan. Per snapshot: the manifest (checked to name this snapshot), then its
// indexes and blobs (checked against the manifest), then the chunks its indexes reference that
// are not on disk, each checked (CRC, and SHA-256 of the data when unencrypted) before an atomic
// write; chunks shared by several snapshots are fetched once. Snapshots finish oldest first, in
// batches: every snapshot ready writes its indexes and blobs, one filesystem sync makes them and
// their chunks durable, then their manifests go in. A write that fails on the file system (full,
// read-only, gone) stops the run: every further write would fail the same way.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/sealed_manifest.h"
#include "crypto/snapshot_decryption.h"
#include "datastore/datastore_writer.h"
#include "datastore/digest_map.h"
#include "datastore/digest_set.h"
#include "datastore/manifest.h"
#include "remote/chunk_listing.h"
#include "remote/remote.h"
#include "restore/restore_plan.h"
#include "restore/restore_summary.h"
#include "run/chunk_fan_in.h"
#include "run/run_progress.h"
#include "run/snapshot_runner.h"

namespace pbs::restore {

class RestoreExecutor : private run::SnapshotRunner {
 public:
  RestoreExecutor(transfer::RequestInterface& requests, const remote::Remote& remote,
                  const datastore::WriterInterface& writer, RestoreSummary& summary,
                  std::function<bool()> interrupted);

  void run(const RestorePlan& plan, const std::function<void(const run::RunProgress&)>& tick);
  // At a point in time: the chunk versions to fetch (outlives the run).
  void pin_chunk_versions(const remote::ChunkListing* versions) { chunk_versions_ = versions; }
  // How many distinct chunks the run's snapshots reference: the progress line's total and ETA.
  void expect_chunks(std::size_t chunks) { chunks_expected_ = chunks; }
  // --decrypt: snapshots this tool encrypted with `key` are written back as their plain originals.
  void decrypt_with(std::shared_ptr<const crypto::CryptKey> key) { key_ = std::move(key); }
  // The chunks that answered as archived (InvalidObjectState): their snapshots were left for a
  // later pass, counted as waiting rather than failed.
  const std::vector<Digest>& archived() const { return archived_; }
  // The snapshots that wait for those chunks (and failed for nothing else).
  std::set<const remote::RemoteSnapshot*> waiting_snapshots() const;
  // What a pass did, for the next pass of the same restore (after archived chunks were made
  // readable): chunks on disk are neither fetched nor counted again, and decrypted ones keep
  // their plain names.
  struct Carry {
    datastore::DigestSet done;
    datastore::DigestMap<Digest> plain_of;
  };
  Carry take_carry() { return {fan_in_.take_done(), std::move(plain_of_)}; }
  void adopt(Carry carry) {
    fan_in_.adopt_done(std::move(carry.done));
    plain_of_ = std::move(carry.plain_of);
  }

 private:
  struct Task {
    enum class Stage {
      manifest,  // its manifest is on its way
      files,     // its indexes and blobs are on their way
      chunks,    // its missing chunks are fetched
      present,   // decrypting: restored by an earlier run, nothing to fetch or write
      failed,    // reported; waits for its requests to end, writes nothing
      done,      // written (or counted), its buffers freed
    };
    const remote::RemoteSnapshot* remote = nullptr;
    Stage stage = Stage::manifest;
    std::vector<std::uint8_t> manifest_bytes;
    datastore::Manifest manifest;
    std::optional<crypto::PlainManifest> plain;  // decrypting: what it is written back as
    std::map<std::string, std::vector<std::uint8_t>> files;
    std::vector<Digest> chunks;
    std::size_t cursor = 0;
    std::size_t pending = 0;
    bool archived = false;  // needs a chunk in an archive class: fetches the rest, writes nothing yet
  };

  void activate(std::size_t task) override;
  bool submit_next(std::size_t task) override;
  bool submit_shared() override;
  std::size_t finish_front(std::size_t first, std::size_t end) override;
  void left_behind(std::size_t task, const std::string& why) override;

  void manifest_fetched(std::size_t task, Result<s3::Response> r);
  void fetch_files(std::size_t task);
  void file_fetched(std::size_t task, const std::string& name, Result<s3::Response> r);
  void plan_chunks(std::size_t task);
  void fetch_chunk(const Digest& digest);
  void chunk_fetched(const Digest& digest, Result<s3::Response> r);
  bool ready(const Task& task) const;
  // Writes the batch's indexes and blobs, syncs, writes their manifests; how many are finished.
  std::size_t write_batch(std::size_t first, std::size_t end);
  bool write_group_files(const datastore::GroupRef& group);
  void fail(std::size_t task, const std::string& object, const std::string& message);
  std::string key(const datastore::SnapshotRef& ref, std::string_view file) const;

  remote::Remote remote_;
  const datastore::WriterInterface& writer_;
  RestoreSummary& summary_;
  const RestorePlan* plan_ = nullptr;
  std::vector<Task> tasks_;
  run::ChunkFanIn fan_in_;
  const remote::ChunkListing* chunk_versions_ = nullptr;
  std::shared_ptr<const crypto::CryptKey> key_;
  datastore::DigestSet decrypting_;          // chunks fetched to be written back plain
  datastore::DigestMap<Digest> plain_of_;    // their plain names
  std::vector<Digest> archived_;
  datastore::DigestSet archived_set_;
  std::map<datastore::GroupRef, std::vector<std::pair<std::string, std::vector<std::uint8_t>>>> group_files_;
  std::size_t next_group_file_ = 0;
  std::size_t group_pending_ = 0;
  std::size_t chunks_expected_ = 0;
};

}  // namespace pbs::restore
