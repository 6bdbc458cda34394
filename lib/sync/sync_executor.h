#pragma once
// Carries out a sync plan on the transfer engine. Chunks are uploaded once however many snapshots
// share them; each snapshot's manifest goes up only after every chunk and file it needs is
// confirmed stored, and manifests go up oldest first (invariant 1). A chunk whose blob fails its
// check is never sent and fails the snapshots that need it; a snapshot pruned locally during the
// run is skipped with a notice.

#include <cstdint>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "datastore/datastore.h"
#include "datastore/digest_set.h"
#include "s3/request.h"
#include "sync/sync_plan.h"
#include "sync/sync_summary.h"
#include "transfer/engine.h"

namespace pbs::sync {

struct Remote {
  std::string bucket;
  std::string prefix;
  std::string key(std::string_view rel) const {
    return prefix.empty() ? std::string(rel) : prefix + "/" + std::string(rel);
  }
};

struct UploadOptions {
  // Called once per snapshot right before its manifest goes up (extension point; tests use it to
  // run a gc at the worst moment).
  std::function<void(const datastore::SnapshotRef&)> before_manifest;
  bool if_none_match = true;
  bool content_md5 = false;
  std::string storage_class;  // chunks only: metadata stays STANDARD
  std::string sse;
  std::string sse_kms_key_id;
  std::function<bool()> interrupted;  // polled: true asks the run to stop cleanly
};

// What is known about remote chunks before uploading.
struct ChunkKnowledge {
  datastore::DigestSet present;  // stored remotely (proven by complete snapshots, or listed)
  datastore::DigestSet proven;   // referenced by a complete remote snapshot: gc keeps them
  bool listed = false;           // `present` is the whole remote .chunks/ listing
  // Last-Modified of listed chunks not proven (incremental list mode): old ones get touched.
  std::unordered_map<std::string, std::int64_t> listed_mtime;  // chunk key rel -> epoch
  // Full mode: remote sizes, to repair chunks that differ from the local file.
  std::unordered_map<std::string, std::uint64_t> sizes;  // key rel -> size
};

struct SyncProgress {
  std::size_t snapshots_done = 0;
  std::size_t snapshots_total = 0;
  std::size_t chunks_uploaded = 0;
  std::size_t chunks_present = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_planned = 0;
};

class SyncExecutor {
 public:
  SyncExecutor(const datastore::Datastore& store, transfer::Engine& engine, Remote remote,
               UploadOptions options, SyncSummary& summary);

  // Runs the plan to the end. `tick` is called between events (progress output).
  void run(Plan& plan, ChunkKnowledge& known, const std::function<void(const SyncProgress&)>& tick);

 private:
  struct Task {
    SnapshotWork* work = nullptr;
    std::vector<Digest> chunks;
    std::vector<Digest> at_risk;  // reused without upload and not proven: gc could take them
    std::vector<Digest> unproven;  // every chunk it needs that no complete snapshot references
    bool gate_passed = false;
    bool hook_called = false;
    bool reverify_started = false;
    bool reverified = false;
    std::size_t cursor = 0;
    std::size_t file_cursor = 0;
    std::size_t pending = 0;
    bool activated = false;
    bool submitted = false;  // every item handed out
    bool failed = false;
    bool vanished = false;
    bool manifest_sent = false;
    bool manifest_done = false;
  };

  void pump();
  bool stopping();  // nothing new may start: the remote side stopped the run, or an interrupt
  // The message of a failed request; a refusal stops the run (see the .cpp).
  std::string remote_error(const Error& error);
  void activate(Task& task);
  void submit_chunk(const Digest& digest, bool head_first);
  void put_chunk(const Digest& digest);
  void chunk_done(const Digest& digest, const std::optional<ObjectError>& error, bool missing);
  void submit_file(std::size_t task, const Upload& upload, bool is_manifest);
  void item_done(std::size_t task);
  void fail(std::size_t task, ObjectError error);
  void check_vanished(std::size_t task, const std::string& what);
  void finalize();
  // Chunk `d` is stored remotely but this run did not upload it and no complete snapshot proves it.
  void reused(const Digest& d, std::optional<std::int64_t> last_modified);
  void touch(const Digest& d);
  bool gate(std::size_t task);  // true when the task may write its manifest now
  void reverify(std::size_t task);
  void submit_group_file(const Upload& upload);
  void delete_keys(std::vector<std::string> keys, std::function<void()> then);
  std::size_t active() const { return next_activate_ - next_finalize_; }
  s3::PutOptions put_options(bool chunk, bool if_none_match) const;

  const datastore::Datastore& store_;
  transfer::Engine& engine_;
  Remote remote_;
  UploadOptions options_;
  SyncSummary& summary_;
  ChunkKnowledge* known_ = nullptr;
  std::vector<Task> tasks_;
  std::unordered_map<Digest, std::vector<std::size_t>, datastore::DigestHash> inflight_;
  datastore::DigestSet done_;
  datastore::DigestSet credited_;  // listed chunks counted as present once
  std::unordered_map<Digest, ObjectError, datastore::DigestHash> bad_;
  std::size_t next_activate_ = 0;
  std::size_t next_finalize_ = 0;
  std::size_t group_pending_ = 0;
  // gc interlock
  datastore::DigestSet reused_;
  datastore::DigestSet touched_;
  std::int64_t first_reuse_ = 0;         // epoch of the first reuse in this run
  std::uint64_t reuse_serial_ = 0;       // bumped at each reuse
  std::uint64_t gate_serial_ = ~0ull;    // reuse_serial_ when gc-state was last read and clear
  std::int64_t sync_start_ = 0;          // epoch when this run began
  std::chrono::steady_clock::time_point gate_checked_{};
  bool gate_pending_ = false;
  std::size_t touch_pending_ = 0;
  bool touch_failed_ = false;
  enum class GateState { unknown, clear, reverify } gate_state_ = GateState::unknown;
  std::optional<std::string> gc_running_;  // set when gc-state showed a running gc
  std::vector<datastore::GroupRef> failed_groups_;
  std::size_t limit_ = 16;
  SyncProgress progress_;
};

}  // namespace pbs::sync
