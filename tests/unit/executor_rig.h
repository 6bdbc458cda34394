#pragma once
// A generated datastore and the in-memory bucket (fake_s3.h), wired to the sync and restore jobs
// without a server: what the executor tests share.

#include <set>
#include <string>
#include <vector>

#include "datagen.h"
#include "datastore/datastore.h"
#include "fake_s3.h"
#include "gc/gc_job.h"
#include "push/sync_job.h"
#include "remote/remote.h"
#include "restore/restore_job.h"
#include "test_support.h"

namespace pbs::test {

// Small: three groups in two namespaces, three snapshots each, chunks shared between snapshots.
testgen::GenConfig small_datastore();

struct ExecutorRig {
  TempDir tmp;
  std::string root = tmp.sub("store1");
  FakeS3 s3;
  remote::Remote remote{"bucket", "store1"};

  explicit ExecutorRig(const testgen::GenConfig& config = small_datastore());
  datastore::Datastore store() const;
  push::SyncSummary sync(push::SyncOptions options = {});
  restore::RestoreSummary restore(const std::string& into, restore::RestoreOptions options = {});

  // Remote keys relative to the prefix.
  std::vector<std::string> remote_keys(std::string_view rel_prefix) const;
  std::vector<std::string> manifests() const;  // keys of remote manifests
  bool has(const std::string& rel) const;
};

// The chunk keys the bucket's complete snapshots reference, read from the bucket.
std::set<std::string> referenced_remotely(const ExecutorRig& rig);

// Every remote manifest's snapshot has its owner, every file the manifest lists and every chunk
// its indexes reference, read from the bucket itself.
void check_remote_snapshots_whole(const ExecutorRig& rig);

// A gc of the rig's bucket that must run to its end.
inline gc::GcSummary run_gc_on(ExecutorRig& rig, gc::GcOptions o = {}) { return must(gc::run_gc(rig.s3, rig.remote, o)); }

// How many snapshots the generator makes with `c`.
inline std::size_t snapshots_in(const testgen::GenConfig& c) {
  return std::size_t(c.vms + c.cts + c.hosts) * c.snapshots;
}

// The chunk keys the datastore's finished snapshots reference.
std::vector<std::string> local_chunk_keys(const std::string& root);
// The snapshots (their rel_dir) whose indexes reference the chunk key.
std::set<std::string> snapshots_using(const std::string& root, const std::string& chunk_key);

}  // namespace pbs::test
