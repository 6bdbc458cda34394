#include "push/sync_executor.h"

#include "datastore/manifest.h"
#include "remote/key_layout.h"
#include "transfer/object_store.h"
#include "util/file_io.h"

namespace pbs::push {

using namespace datastore;

namespace {
// Snapshots worked on at once: enough to keep requests flowing past one with few chunks.
constexpr std::size_t kMaxActiveSnapshots = 8;
}  // namespace

SyncExecutor::SyncExecutor(const Datastore& store, transfer::RequestInterface& requests, const remote::Remote& remote,
                           UploadOptions options, SyncSummary& summary)
    : run::SnapshotRunner(requests, kMaxActiveSnapshots,
                     run::RunStop(run::RunKind::sync, run::LocalFaultPolicy::fail_snapshots, options.interrupted, summary.errors)),
      store_(store), remote_(remote), options_(std::move(options)), summary_(summary),
      uploader_(requests, remote_, store, options_.put, stop_, summary),
      interlock_(requests, remote_, options_.put, stop_, summary, [this] { pump(); }) {}

void SyncExecutor::run(Plan& plan, ChunkKnowledge& known, std::uint64_t bytes_planned,
                       const std::function<void(const run::RunProgress&)>& tick) {
  known_ = &known;
  plan_ = &plan;
  tasks_.resize(plan.work.size());
  for (std::size_t i = 0; i < plan.work.size(); ++i) tasks_[i].work = &plan.work[i];
  run::RunProgress progress;
  progress.snapshots_total = tasks_.size();
  run_window(tasks_.size(), [&] {
    if (!tick) return;
    progress.snapshots_done = finished();
    progress.chunks_moved = summary_.chunks_uploaded;
    progress.chunks_present = summary_.chunks_present;
    progress.bytes = summary_.chunk_bytes_uploaded + summary_.file_bytes_uploaded;
    progress.bytes_total = bytes_planned > found_stored_bytes_ ? bytes_planned - found_stored_bytes_ : 0;
    tick(progress);
  });
  if (!stop_.stopping()) delete_phase(plan);
  summary_.outcome = stop_.outcome();
}

bool SyncExecutor::submit_shared() {
  std::size_t files = plan_->group_files.size();
  if (next_group_file_ >= files + plan_->markers.size()) return false;
  const Upload& up = next_group_file_ < files ? plan_->group_files[next_group_file_]
                                              : plan_->markers[next_group_file_ - files];
  ++next_group_file_;
  ++group_pending_;
  auto options = options_.put.options(false, false);
  s3::Request req = up.local_path.empty() ? s3::put_object(remote_.bucket, remote_.key(up.key_rel), nullptr, options)
                                          : file_put(remote_, up.key_rel, up.local_path, up.size, options);
  requests_.submit(std::move(req), [this, key_rel = up.key_rel, size = up.size](Result<s3::Response> r) {
    --group_pending_;
    if (r) {
      ++summary_.files_uploaded;
      summary_.file_bytes_uploaded += size;
    } else {
      std::string message = is_remote(r.error().code()) ? stop_.remote_error(r.error()) : r.error().message();
      summary_.errors.push_back({key_rel, message});
      auto key = remote::parse_content_key(std::string_view(key_rel).substr(remote::kContentDir.size()));
      if (key && key->kind == remote::ContentKey::Kind::group_file) failed_groups_.push_back(key->group);
    }
    pump();
  });
  return true;
}

void SyncExecutor::activate(std::size_t t) {
  Task& task = tasks_[t];
  const SnapshotWork& w = *task.work;
  if (!w.chunks) return;
  DigestSet seen;
  auto fault = datastore::for_each_index(store_, *w.snapshot, [&](const std::vector<Digest>& d) { add_chunks(task, d, seen); });
  if (fault) index_failed(t, *fault);
}

void SyncExecutor::index_failed(std::size_t t, const datastore::IndexFault& fault) {
  if (fault.error.code() == Errc::not_found) return check_vanished(t, fault.file + " missing locally");
  fail(t, {ref(t).rel_dir() + "/" + fault.file, fault.error.message()});
}

// Sorts the snapshot's chunks: already stored (counted, and renewed against gc when reused), or
// to be sent (or waited for, when another snapshot sends it).
void SyncExecutor::add_chunks(Task& task, const std::vector<Digest>& digests, DigestSet& seen) {
  const ChunkKnowledge& known = *known_;
  for (const auto& d : digests) {
    if (!seen.insert(d)) continue;
    if (known.stored(d)) {
      bool listed = known.present.contains(d);
      if (listed && credited_.insert(d)) ++summary_.chunks_present;
      if (listed && !interlock_.is_reused(d)) {
        const std::int64_t* mtime = known.listed_mtime.find(d);
        interlock_.reused(d, mtime ? std::optional(*mtime) : std::nullopt);
      }
      continue;
    }
    if (fan_in_.done(d)) continue;
    if (auto slot = known.full() ? known.listing.find(d) : std::nullopt) {
      // Full mode: a listed chunk counts as stored when its size matches the local file; it is
      // marked in the listing, not remembered apart (a million chunks).
      std::uint8_t& flags = known_->listing.flags(*slot);
      if (flags & kCheckedChunk) continue;
      // A chunk of an encrypted view is its plain file, sealed: its header grows by IV and tag.
      std::uint64_t sealing = store_.aliased(d) ? kEncryptedBlobHeaderSize - kBlobHeaderSize : 0;
      auto st = stat_path(store_.chunk_path(d));
      if (st && *st && known.listing.size(*slot) == (*st)->size + sealing) {
        flags |= kCheckedChunk;
        ++summary_.chunks_present;
        if (!(flags & kProvenChunk)) interlock_.reused(d, std::nullopt);
        continue;
      }
    }
    task.chunks.push_back(d);
  }
}

bool SyncExecutor::submit_next(std::size_t t) {
  Task& task = tasks_[t];
  if (task.stage != Task::Stage::sending) return false;
  const SnapshotWork& w = *task.work;
  if (task.file_cursor < w.files.size()) {
    submit_file(t, w.files[task.file_cursor++]);
    return true;
  }
  if (task.chunk_cursor >= task.chunks.size()) {
    task.stage = Task::Stage::sent;  // its deletes (a stale .protected) run with the deletion phase
    std::vector<Digest>().swap(task.chunks);  // a million chunks' worth stays not for the run's rest
    return true;
  }
  const Digest& d = task.chunks[task.chunk_cursor++];
  if (fan_in_.done(d)) return true;  // task.chunks holds none that were stored before the run
  if (const std::string* why = fan_in_.failed(d)) {
    fail(t, {ref(t).rel_dir(), "not completed: chunk " + digest_hex(d) + " " + *why});
    return true;
  }
  ++task.pending;
  if (fan_in_.wait(d, t)) {
    ++summary_.chunks_checked;
    bool head_first = known_->head_first(d);
    bool repair = known_->full() && known_->listing.find(d).has_value();
    uploader_.upload(d, head_first, !repair, [this, d](ChunkOutcome o) { chunk_done(d, std::move(o)); });
  }
  return true;
}

void SyncExecutor::chunk_done(const Digest& d, ChunkOutcome o) {
  auto waiters = fan_in_.take_waiters(d);
  using Kind = ChunkOutcome::Kind;
  switch (o.kind) {
    case Kind::uploaded:
      ++summary_.chunks_uploaded;
      summary_.chunk_bytes_uploaded += o.bytes;
      fan_in_.mark_done(d);
      break;
    case Kind::present:
      ++summary_.chunks_present;
      if (auto st = stat_path(store_.chunk_path(d)); st && *st) found_stored_bytes_ += (*st)->size;
      interlock_.reused(d, o.last_modified);
      fan_in_.mark_done(d);
      break;
    case Kind::missing_locally:
      for (auto t : waiters) check_vanished(t, "chunk " + store_.chunk_path(d) + " is missing locally");
      break;
    case Kind::local_fault: {
      std::string why = o.damaged ? "failed its local check" : "could not be read locally";
      fan_in_.mark_failed(d, why);
      summary_.errors.push_back({o.error.object, o.damaged ? "failed its local check, not uploaded: " + o.error.message
                                                           : o.error.message, o.damaged});
      for (auto t : waiters) fail(t, {ref(t).rel_dir(), "not completed: chunk " + digest_hex(d) + " " + why});
      break;
    }
    case Kind::remote_error:
      for (auto t : waiters) fail(t, {ref(t).rel_dir(), "not completed: " + o.error.message});
      break;
    case Kind::abandoned:
      break;  // its snapshots are left behind with the run's reason
  }
  for (auto t : waiters) --tasks_[t].pending;
  pump();
}

void SyncExecutor::submit_file(std::size_t t, const Upload& up) {
  ++tasks_[t].pending;
  auto req = file_put(remote_, up.key_rel, up.local_path, up.size, options_.put.options(false, false));
  requests_.submit(std::move(req), [this, t, size = up.size, path = up.local_path](Result<s3::Response> r) {
    if (r) {
      ++summary_.files_uploaded;
      summary_.file_bytes_uploaded += size;
    } else {
      file_failed(t, path, r.error());
    }
    item_done(t);
  });
}

void SyncExecutor::file_failed(std::size_t t, const std::string& path, const Error& e) {
  if (e.code() == Errc::not_found) return check_vanished(t, path + " is missing locally");
  fail(t, {path, is_remote(e.code()) ? stop_.remote_error(e) : e.message(), e.code() == Errc::corrupt});
}

void SyncExecutor::item_done(std::size_t t) {
  --tasks_[t].pending;
  pump();
}

void SyncExecutor::fail(std::size_t t, run::ObjectError error) {
  Task& task = tasks_[t];
  if (task.ended()) return;
  task.stage = Task::Stage::failed;
  summary_.errors.push_back(std::move(error));
}

void SyncExecutor::check_vanished(std::size_t t, const std::string& what) {
  Task& task = tasks_[t];
  if (task.ended()) return;
  const Datastore& local = options_.origin ? *options_.origin : store_;
  auto st = stat_path(local.path(ref(t).rel_dir() + "/" + std::string(kManifestName)));
  if (st && !*st) {
    task.stage = Task::Stage::vanished;
    summary_.notices.push_back("snapshot " + ref(t).rel_dir() + " vanished locally during the run (pruned?); skipped");
    return;
  }
  fail(t, {ref(t).rel_dir(), "not completed: " + what});
}

std::size_t SyncExecutor::finish_front(std::size_t first, std::size_t end) {
  std::size_t i = first;
  for (; i < end && settle(i); ++i) {
    const Task& t = tasks_[i];
    const SnapshotWork& w = *t.work;
    if (t.stage == Task::Stage::failed) {
      ++summary_.snapshots_failed;
    } else if (t.stage == Task::Stage::vanished) {
      ++summary_.snapshots_vanished;
    } else if (w.kind == SnapshotWork::Kind::upload) {
      ++summary_.snapshots_uploaded;
      for (const auto& f : w.snapshot->manifest.files) {
        auto kind = snapshot_file_kind(f.filename);
        if (kind && is_index_kind(*kind)) summary_.logical_bytes += f.size;
      }
    } else {
      ++summary_.snapshots_updated;
    }
  }
  return i - first;
}

bool SyncExecutor::settle(std::size_t t) {
  Task& task = tasks_[t];
  using Stage = Task::Stage;
  if (task.ended()) return true;
  // Group owner/notes go up before any manifest of the run.
  bool group_files_done = group_pending_ == 0 && next_group_file_ == plan_->group_files.size() + plan_->markers.size();
  if (task.stage == Stage::sending || task.pending > 0 || !group_files_done) return false;
  for (const auto& g : failed_groups_) {
    if (g == ref(t).group) fail(t, {ref(t).rel_dir(), "not completed: its group's owner/notes could not be uploaded"});
  }
  if (task.ended()) return true;
  if (!task.work->manifest) {
    task.stage = Stage::finished;
    return true;
  }
  if (stop_.stopping()) {
    // Only what already completed: a manifest that went up during the drain.
    if (task.stage == Stage::manifest) task.stage = Stage::finished;
    return task.ended();
  }
  switch (task.stage) {
    case Stage::sent:
      if (options_.before_manifest) options_.before_manifest(ref(t));
      task.stage = Stage::gating;
      [[fallthrough]];
    case Stage::gating:
      switch (interlock_.gate()) {
        case GcInterlock::Gate::open: write_manifest(t); break;
        case GcInterlock::Gate::wait: break;
        case GcInterlock::Gate::recheck: start_recheck(t); break;
        case GcInterlock::Gate::closed:
          fail(t, {ref(t).rel_dir(), "not completed: " + interlock_.closed_reason() + "; it completes on the next run"});
          break;
      }
      break;
    case Stage::rechecking: write_manifest(t); break;  // every object it names is there again
    case Stage::manifest: task.stage = Stage::finished; break;
    default: break;
  }
  return task.ended();
}

void SyncExecutor::write_manifest(std::size_t t) {
  Task& task = tasks_[t];
  task.stage = Task::Stage::manifest;
  std::string manifest = store_.path(ref(t).rel_dir() + "/" + std::string(kManifestName));
  auto st = stat_path(manifest);
  if (!st || !*st) return check_vanished(t, "manifest missing locally");
  submit_file(t, Upload{remote::snapshot_file_rel_key(ref(t), kManifestName), manifest, (*st)->size});
}

// Every object this snapshot's manifest will name, except the chunks a complete snapshot
// references (gc keeps those).
void SyncExecutor::start_recheck(std::size_t t) {
  Task& task = tasks_[t];
  task.stage = Task::Stage::rechecking;
  const auto& snap = *task.work->snapshot;
  std::vector<GcInterlock::RecheckItem> items;
  for (const auto& name : snap.files) {
    if (name == kManifestName) continue;
    items.push_back({remote::snapshot_file_rel_key(snap.ref, name), store_.path(snap.ref.rel_dir() + "/" + name), {}});
  }
  items.push_back({remote::group_file_rel_key(snap.ref.group, kOwnerName), store_.path(snap.ref.group.rel_dir() + "/owner"), {}});
  // Its chunks no complete snapshot references, read again from its indexes (rare: kept no longer).
  // A snapshot that only updates mutable files is complete remotely: gc keeps its chunks.
  DigestSet seen;
  if (task.work->chunks) {
    auto fault = datastore::for_each_index(store_, snap, [&](const std::vector<Digest>& digests) {
      for (const auto& d : digests) {
        if (!known_->is_proven(d) && seen.insert(d)) items.push_back({remote::chunk_rel_key(d), store_.chunk_path(d), d, store_.aliased(d)});
      }
    });
    if (fault) return index_failed(t, *fault);
  }
  task.pending += items.size();
  interlock_.recheck(items, [this, t](std::optional<run::ObjectError> error, bool missing_locally) {
    if (missing_locally) {
      check_vanished(t, "a file it needs is missing locally");
    } else if (error) {
      fail(t, {ref(t).rel_dir(), "not completed: " + error->message});
    }
    item_done(t);
  });
}

void SyncExecutor::left_behind(std::size_t t, const std::string& why) {
  const Task& task = tasks_[t];
  if (task.stage == Task::Stage::vanished) {
    ++summary_.snapshots_vanished;
    return;
  }
  ++summary_.snapshots_failed;
  if (!task.ended()) summary_.errors.push_back({ref(t).rel_dir(), why});
}

// Deletions run the other way round: manifests first, so a remote snapshot never looks complete
// while its files are being removed.
void SyncExecutor::delete_phase(const Plan& plan) {
  std::vector<std::string> first = plan.group_deletes, rest;
  for (const auto& w : plan.work) first.insert(first.end(), w.deletes.begin(), w.deletes.end());
  for (const auto& v : plan.vanished) {
    first.push_back(v.keys.front());
    rest.insert(rest.end(), v.keys.begin() + 1, v.keys.end());
  }
  bool finished = false;
  delete_keys(first, [&] {
    summary_.snapshots_removed = plan.vanished.size();
    delete_keys(rest, [&] { finished = true; });
  });
  requests_.run_until([&] { return finished && requests_.outstanding() == 0; });
  summary_.snapshots_not_removed = plan.not_removed;
}

void SyncExecutor::delete_keys(std::vector<std::string> keys, std::function<void()> then) {
  if (keys.empty()) return then();
  std::vector<std::string> full;
  for (const auto& k : keys) full.push_back(remote_.key(k));
  auto store = std::make_shared<transfer::ObjectStore>(requests_, remote_.bucket);
  store->delete_keys(std::move(full), [this, store, then](Result<transfer::DeleteSummary> r) {
    if (!r) {
      summary_.errors.push_back({remote_.url(), stop_.remote_error(r.error())});
      return;  // a failed first batch must not let the second (non-manifest) batch run
    }
    summary_.objects_deleted += r->deleted;
    for (const auto& f : r->failures) summary_.errors.push_back({f.key, "delete failed: " + f.code + " " + f.message});
    if (r->failures.empty()) then();
  });
}

}  // namespace pbs::push
