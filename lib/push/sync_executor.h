#pragma once
// Carries out a sync plan. The rule it keeps (the one a crash must never break): a snapshot's
// manifest, the object that makes a remote snapshot exist, is written only after every chunk its
// indexes reference and every other file of the snapshot is confirmed stored, and manifests go up
// oldest first. Chunks are uploaded once however many snapshots share them (chunk_fan_in.h); a
// chunk file that is damaged, missing or unreadable is never sent and fails the snapshots that
// need it; a snapshot pruned locally during the run is skipped with a notice. Deletions
// (--remove-vanished, stale files) run last and the other way round: manifests first.

#include <functional>
#include <string>
#include <vector>

#include "datastore/datastore.h"
#include "push/chunk_presence.h"
#include "push/chunk_uploader.h"
#include "push/gc_interlock.h"
#include "push/object_puts.h"
#include "push/sync_plan.h"
#include "push/sync_summary.h"
#include "remote/remote.h"
#include "run/chunk_fan_in.h"
#include "run/run_progress.h"
#include "run/snapshot_runner.h"

namespace pbs::push {

struct UploadOptions {
  PutSettings put;
  // Called once per snapshot right before its manifest goes up (tests run a gc at that moment).
  std::function<void(const datastore::SnapshotRef&)> before_manifest;
  std::function<bool()> interrupted;  // polled: true asks the run to stop cleanly
  // The datastore itself when the run works on a view of it (encrypted_view.h): where a snapshot
  // missing a file is looked for, to tell a prune during the run from a failure.
  const datastore::Datastore* origin = nullptr;
};

class SyncExecutor : private run::SnapshotRunner {
 public:
  SyncExecutor(const datastore::Datastore& store, transfer::RequestInterface& requests, const remote::Remote& remote,
               UploadOptions options, SyncSummary& summary);

  // `bytes_planned`: what the plan expects to send (files and the chunks not known stored), for
  // the progress line's total; chunks found stored after all come off it.
  void run(Plan& plan, ChunkKnowledge& known, std::uint64_t bytes_planned,
           const std::function<void(const run::RunProgress&)>& tick);

 private:
  struct Task {
    enum class Stage {
      sending,    // its files and chunks are being submitted
      sent,       // all submitted; waiting for them and for the snapshots before it
      gating,     // asking the gc interlock whether its manifest may go up
      rechecking, // its objects are checked again after a concurrent gc
      manifest,   // its manifest is on its way
      finished,
      failed,
      vanished,   // pruned locally during the run
    };
    SnapshotWork* work = nullptr;
    Stage stage = Stage::sending;
    std::vector<Digest> chunks;  // not known stored: to send, or to wait for; freed once sent
    std::size_t file_cursor = 0;
    std::size_t chunk_cursor = 0;
    std::size_t pending = 0;  // its requests and chunk transfers not completed
    bool ended() const { return stage == Stage::finished || stage == Stage::failed || stage == Stage::vanished; }
  };

  void activate(std::size_t task) override;
  bool submit_next(std::size_t task) override;
  bool submit_shared() override;
  std::size_t finish_front(std::size_t first, std::size_t end) override;
  void left_behind(std::size_t task, const std::string& why) override;

  void add_chunks(Task& task, const std::vector<Digest>& digests, datastore::DigestSet& seen);
  void chunk_done(const Digest& digest, ChunkOutcome outcome);
  void submit_file(std::size_t task, const Upload& upload);
  void file_failed(std::size_t task, const std::string& path, const Error& error);
  void item_done(std::size_t task);
  // Moves the task at the front on; true once it reached an end stage.
  bool settle(std::size_t task);
  void write_manifest(std::size_t task);
  void start_recheck(std::size_t task);
  void fail(std::size_t task, run::ObjectError error);
  void check_vanished(std::size_t task, const std::string& what);
  void index_failed(std::size_t task, const datastore::IndexFault& fault);
  void delete_phase(const Plan& plan);
  void delete_keys(std::vector<std::string> keys, std::function<void()> then);
  const datastore::SnapshotRef& ref(std::size_t task) const { return tasks_[task].work->snapshot->ref; }

  const datastore::Datastore& store_;
  remote::Remote remote_;
  UploadOptions options_;
  SyncSummary& summary_;
  ChunkUploader uploader_;
  GcInterlock interlock_;
  ChunkKnowledge* known_ = nullptr;  // full mode marks the chunks it found stored
  const Plan* plan_ = nullptr;
  std::vector<Task> tasks_;
  run::ChunkFanIn fan_in_;
  datastore::DigestSet credited_;  // listed chunks counted as present once
  std::uint64_t found_stored_bytes_ = 0;  // chunks the plan meant to send that were stored (412, HEAD)
  std::size_t next_group_file_ = 0;
  std::size_t group_pending_ = 0;
  std::vector<datastore::GroupRef> failed_groups_;
};

}  // namespace pbs::push
