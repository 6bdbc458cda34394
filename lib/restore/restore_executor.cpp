#include "restore/restore_executor.h"

#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "util/file_io.h"

namespace pbs::restore {

using namespace datastore;

namespace {

// Snapshots fetched at once: small ones would otherwise leave the connections idle.
constexpr std::size_t kMaxActiveSnapshots = 16;

// A write that failed on the file system (full, quota, read-only, gone) rather than on what was
// written (a refused name, content that does not check).
bool file_system_failure(const Error& e) {
  auto c = e.code();
  return c == Errc::io || c == Errc::no_space || c == Errc::permission_denied || c == Errc::not_found;
}

}  // namespace

RestoreExecutor::RestoreExecutor(transfer::RequestInterface& requests, const remote::Remote& remote,
                                 const WriterInterface& writer, RestoreSummary& summary,
                                 std::function<bool()> interrupted)
    : run::SnapshotRunner(requests, kMaxActiveSnapshots,
                     run::RunStop(run::RunKind::restore, run::LocalFaultPolicy::stop_run, std::move(interrupted), summary.errors)),
      remote_(remote), writer_(writer), summary_(summary) {}

std::string RestoreExecutor::key(const SnapshotRef& ref, std::string_view file) const {
  return remote_.key(remote::snapshot_file_rel_key(ref, file));
}

void RestoreExecutor::run(const RestorePlan& plan, const std::function<void(const run::RunProgress&)>& tick) {
  plan_ = &plan;
  tasks_.resize(plan.snapshots.size());
  for (std::size_t i = 0; i < plan.snapshots.size(); ++i) tasks_[i].remote = plan.snapshots[i];
  run::RunProgress progress;
  progress.direction = run::RunProgress::Direction::down;
  progress.snapshots_total = tasks_.size();
  auto report = [&] {
    if (!tick) return;
    progress.snapshots_done = finished();
    progress.chunks_moved = summary_.chunks_fetched;
    progress.chunks_present = summary_.chunks_present;
    progress.bytes = requests_.counters().bytes_down;
    // The bytes still to come, at the size of the chunks fetched so far.
    std::size_t seen = summary_.chunks_fetched + summary_.chunks_present;
    if (chunks_expected_ > seen && summary_.chunks_fetched > 0) {
      progress.bytes_total = progress.bytes + (chunks_expected_ - seen) * (summary_.chunk_bytes / summary_.chunks_fetched);
    } else if (chunks_expected_ > 0 && chunks_expected_ <= seen) {
      progress.bytes_total = progress.bytes;
    }
    tick(progress);
  };
  run_window(tasks_.size(), report);
  report();  // where it ended
  summary_.outcome = stop_.outcome();
}

void RestoreExecutor::fail(std::size_t t, const std::string& object, const std::string& message) {
  Task& task = tasks_[t];
  if (task.stage == Task::Stage::failed) return;
  task.stage = Task::Stage::failed;
  summary_.errors.push_back({object, message});
}

// Owner and notes of the groups restored into, before any manifest.
bool RestoreExecutor::submit_shared() {
  if (next_group_file_ >= plan_->group_files.size()) return false;
  const GroupFileFetch& f = plan_->group_files[next_group_file_++];
  ++group_pending_;
  std::string key = remote_.key(remote::group_file_rel_key(f.group, f.name));
  requests_.submit(remote::remote_get(remote_, remote::group_file_rel_key(f.group, f.name), f.version_id),
                   [this, f, key](Result<s3::Response> r) {
    --group_pending_;
    if (!r || r->status != 200) {
      summary_.errors.push_back({key, r ? "vanished remotely" : stop_.remote_error(r.error())});
    } else {
      group_files_[f.group].emplace_back(f.name, std::move(r->body));  // written with its first snapshot
    }
    pump();
  });
  return true;
}

void RestoreExecutor::activate(std::size_t t) {
  ++tasks_[t].pending;
  auto sink = transfer::Sink::in_memory(remote::kMaxManifestObjectSize);
  const remote::RemoteSnapshot& rs = *tasks_[t].remote;
  requests_.submit(remote::remote_get(remote_, remote::snapshot_file_rel_key(rs.ref, kManifestName), rs.version(kManifestName)), sink,
                   [this, t](Result<s3::Response> r) { manifest_fetched(t, std::move(r)); });
}

void RestoreExecutor::manifest_fetched(std::size_t t, Result<s3::Response> r) {
  Task& task = tasks_[t];
  --task.pending;
  const auto& ref = task.remote->ref;
  std::string where = key(ref, kManifestName);
  if (!r || r->status != 200) {
    fail(t, where, r ? "vanished remotely during the restore" : stop_.remote_error(r.error()));
    return pump();
  }
  auto m = parse_manifest_blob(r->body);
  if (!m) {
    fail(t, where, m.error().message());
  } else if (m->type != ref.group.type || m->id != ref.group.id || m->time != ref.time) {
    fail(t, where, "the manifest names another snapshot; refusing it");
  } else if (!stop_.stopping()) {  // stopping: the snapshot is left behind with the reason
    if (key_) {
      auto plain = crypto::plain_manifest_of(*key_, *m);
      if (!plain) {
        fail(t, where, "cannot be decrypted: " + plain.error().message());
        return pump();
      }
      if (*plain) {
        task.plain = std::move(*plain);
        // Restored by an earlier run (its manifest is written last): nothing to fetch again.
        auto local = read_file(writer_.datastore().path(ref.rel_dir() + "/" + std::string(kManifestName)));
        if (local && *local == task.plain->blob) {
          task.stage = Task::Stage::present;
          return pump();
        }
      } else if (crypto::format_fingerprint(key_->fingerprint()) == m->unprotected.value("key-fingerprint", "")) {
        // The backup client encrypted it with this very key: its chunks may be the ones the
        // decrypted snapshots need in plain form. Restored without --decrypt, it is whole.
        fail(t, where, "encrypted by the backup client with the key given; restore it without --decrypt");
        return pump();
      }
    }
    task.manifest = std::move(*m);
    task.manifest_bytes = std::move(r->body);
    fetch_files(t);
  }
  pump();
}

void RestoreExecutor::fetch_files(std::size_t t) {
  Task& task = tasks_[t];
  task.stage = Task::Stage::files;
  std::vector<std::string> names;
  for (const auto& f : task.manifest.files) names.push_back(f.filename);
  // Files a PBS snapshot holds besides the listed ones: the client log and the protection mark.
  for (const auto& [name, f] : task.remote->files) {
    if (name != kManifestName && !task.manifest.find(name) && (name == "client.log.blob" || name == kProtectedName)) {
      names.push_back(name);
    }
  }
  if (names.empty()) return plan_chunks(t);
  for (const auto& name : names) {
    ++task.pending;
    requests_.submit(remote::remote_get(remote_, remote::snapshot_file_rel_key(task.remote->ref, name), task.remote->version(name)),
                     transfer::Sink::in_memory(remote::kMaxSnapshotFileSize),
                     [this, t, name](Result<s3::Response> r) { file_fetched(t, name, std::move(r)); });
  }
}

void RestoreExecutor::file_fetched(std::size_t t, const std::string& name, Result<s3::Response> r) {
  Task& task = tasks_[t];
  --task.pending;
  std::string where = key(task.remote->ref, name);
  if (!r || r->status != 200) {
    fail(t, where, r ? "listed in the manifest but missing remotely" : stop_.remote_error(r.error()));
  } else if (const ManifestFile* entry = task.manifest.find(name)) {
    if (auto st = check_manifest_file(*entry, r->body); !st) {
      fail(t, where, "does not match the manifest: " + st.error().message());
    }
  } else if (name != kProtectedName) {
    if (auto blob = check_blob(r->body); !blob) fail(t, where, blob.error().message());
  }
  if (r && r->status == 200) task.files[name] = std::move(r->body);
  if (task.pending == 0 && task.stage != Task::Stage::failed && !stop_.stopping()) plan_chunks(t);
  pump();
}

// The snapshot's chunks that are neither on disk nor already fetched by this run.
void RestoreExecutor::plan_chunks(std::size_t t) {
  Task& task = tasks_[t];
  task.stage = Task::Stage::chunks;
  DigestSet seen;
  for (const auto& [name, bytes] : task.files) {
    auto kind = snapshot_file_kind(name);
    if (!kind || !is_index_kind(*kind)) continue;
    auto ix = parse_index(bytes);
    if (!ix) continue;  // check_manifest_file parsed it already
    for (const auto& d : ix->digests) {
      if (!seen.insert(d) || fan_in_.done(d)) continue;
      if (task.plain) {
        decrypting_.insert(d);  // its plain name is known once it is decrypted
        task.chunks.push_back(d);
        continue;
      }
      auto local = writer_.has_chunk(d);
      if (local && *local) {
        fan_in_.mark_done(d);
        ++summary_.chunks_present;
        continue;
      }
      task.chunks.push_back(d);
    }
  }
}

bool RestoreExecutor::submit_next(std::size_t t) {
  Task& task = tasks_[t];
  if (task.stage != Task::Stage::chunks || task.cursor >= task.chunks.size()) return false;
  const Digest& d = task.chunks[task.cursor++];
  if (fan_in_.done(d)) return true;
  if (archived_set_.contains(d)) {
    task.archived = true;
    return true;
  }
  if (const std::string* why = fan_in_.failed(d)) {
    fail(t, task.remote->ref.rel_dir(), "not restored: chunk " + digest_hex(d) + " unavailable (" + *why + ")");
    return true;
  }
  ++task.pending;
  if (fan_in_.wait(d, t)) fetch_chunk(d);
  return true;
}

void RestoreExecutor::fetch_chunk(const Digest& d) {
  std::string version;
  if (chunk_versions_) {
    if (auto slot = chunk_versions_->find(d)) version = chunk_versions_->version(*slot);
  }
  requests_.submit(remote::remote_get(remote_, remote::chunk_rel_key(d), version),
                   transfer::Sink::in_memory(remote::kMaxChunkObjectSize),
                   [this, d](Result<s3::Response> r) { chunk_fetched(d, std::move(r)); });
}

void RestoreExecutor::chunk_fetched(const Digest& d, Result<s3::Response> r) {
  auto waiters = fan_in_.take_waiters(d);
  std::string where = remote_.key(remote::chunk_rel_key(d));  // what the error names
  std::optional<std::string> error;
  bool written = false;
  if (stop_.outcome().stop == run::StopCause::local) {
    // Not written: the disk failed; the run reports its snapshots with the reason.
  } else if (!r && r.error().code() == Errc::archived) {
    if (archived_set_.insert(d)) archived_.push_back(d);
    // Its snapshots go on fetching the rest, so one pass finds every archived chunk they need.
    for (auto t : waiters) tasks_[t].archived = true, --tasks_[t].pending;
    pump();
    return;
  } else if (!r) {
    error = stop_.remote_error(r.error());
  } else if (r->status != 200) {
    error = "chunk missing remotely";
  } else if (auto check = decrypting_.contains(d) ? Result<ChunkCheck>(ChunkCheck{}) : check_chunk(r->body, d); !check) {
    error = "damaged remotely: " + check.error().message();
  } else {
    // A chunk to decrypt is checked by its decryption (CRC, tag, its name), not twice.
    std::optional<Result<crypto::PlainChunk>> plain;
    if (decrypting_.contains(d)) plain.emplace(crypto::decrypt_chunk(*key_, d, r->body));
    if (plain && !*plain) {
      error = "cannot be decrypted: " + plain->error().message();
    } else {
      const Digest& name = plain ? (*plain)->digest : d;
      std::span<const std::uint8_t> bytes = plain ? std::span<const std::uint8_t>((*plain)->blob) : r->body;
      if (auto st = writer_.write_chunk(name, bytes); !st) {
        where = writer_.datastore().chunk_path(name);
        if (!file_system_failure(st.error()) || !stop_.local_fault(where, st.error().message())) error = st.error().message();
      } else {
        if (plain) plain_of_.emplace(d, name);
        written = true;
      }
    }
  }
  if (error) {
    fan_in_.mark_failed(d, *error);
    summary_.errors.push_back({where, *error});
    for (auto t : waiters) {
      fail(t, tasks_[t].remote->ref.rel_dir(), "not restored: chunk " + digest_hex(d) + " unavailable (" + *error + ")");
    }
  } else if (written) {
    fan_in_.mark_done(d);
    ++summary_.chunks_fetched;
    summary_.chunk_bytes += r->body.size();
  }
  for (auto t : waiters) --tasks_[t].pending;
  pump();
}

bool RestoreExecutor::ready(const Task& t) const {
  // A failed one keeps its buffers until its requests are done.
  if (t.stage == Task::Stage::failed || t.stage == Task::Stage::present) return t.pending == 0;
  return t.stage == Task::Stage::chunks && t.pending == 0 && t.cursor >= t.chunks.size();
}

std::size_t RestoreExecutor::finish_front(std::size_t first, std::size_t end) {
  // A stopping restore writes no more indexes and manifests; the rerun finishes those snapshots.
  if (stop_.stopping()) return 0;
  if (group_pending_ > 0 || next_group_file_ < plan_->group_files.size()) return 0;
  std::size_t last = first;
  while (last < end && ready(tasks_[last])) ++last;
  if (last == first) return 0;
  return write_batch(first, last);
}

// A group's owner and notes go in with its first restored snapshot, so a group none of whose
// snapshots could be restored leaves no directory behind. False when the disk failed.
bool RestoreExecutor::write_group_files(const GroupRef& group) {
  auto node = group_files_.extract(group);
  if (node.empty()) return true;
  for (const auto& [name, bytes] : node.mapped()) {
    if (auto w = writer_.write_group_file(group, name, bytes); !w) {
      std::string where = writer_.datastore().path(group.rel_dir() + "/" + name);
      if (file_system_failure(w.error()) && stop_.local_fault(where, w.error().message())) return false;
      summary_.errors.push_back({where, w.error().message()});
      continue;
    }
    ++summary_.files_written;
  }
  return true;
}

std::size_t RestoreExecutor::write_batch(std::size_t first, std::size_t end) {
  for (std::size_t i = first; i < end; ++i) {
    Task& task = tasks_[i];
    if (task.stage != Task::Stage::chunks || task.archived) continue;  // failed, waiting, or restored before
    if (!write_group_files(task.remote->ref.group)) return 0;
    for (const auto& [name, stored] : task.files) {
      std::string where = task.remote->ref.rel_dir() + "/" + name;
      std::vector<std::uint8_t> plain;
      if (task.plain) {
        auto p = crypto::decrypt_snapshot_file(*key_, name, stored, plain_of_, task.plain->manifest.find(name));
        if (!p) {
          fail(i, key(task.remote->ref, name), "cannot be decrypted: " + p.error().message());
          break;
        }
        plain = std::move(*p);
      }
      const auto& bytes = task.plain ? plain : stored;
      if (auto st = writer_.write_snapshot_file(task.remote->ref, name, bytes); !st) {
        if (file_system_failure(st.error()) && stop_.local_fault(where, st.error().message())) return 0;
        fail(i, where, st.error().message());
        break;
      }
      ++summary_.files_written;
    }
  }
  if (auto synced = writer_.sync(); !synced) {
    stop_.local_fault(writer_.datastore().root(), synced.error().message());
    return 0;
  }
  for (std::size_t i = first; i < end; ++i) {
    Task& task = tasks_[i];
    const auto& ref = task.remote->ref;
    if (task.stage == Task::Stage::present) {
      ++summary_.snapshots_present;
    } else if (task.stage == Task::Stage::chunks && !task.archived) {
      const auto& manifest = task.plain ? task.plain->blob : task.manifest_bytes;
      if (auto st = writer_.write_snapshot_file(ref, kManifestName, manifest, true); !st) {
        std::string where = ref.rel_dir() + "/" + std::string(kManifestName);
        if (file_system_failure(st.error()) && stop_.local_fault(where, st.error().message())) return i - first;
        fail(i, where, st.error().message());
      }
    }
    if (task.stage == Task::Stage::failed) {
      ++summary_.snapshots_failed;
    } else if (task.archived) {
      ++summary_.snapshots_waiting;
    } else if (task.stage == Task::Stage::chunks) {
      ++summary_.files_written;
      ++summary_.snapshots_restored;
    }
    const remote::RemoteSnapshot* remote = task.remote;
    bool waits = task.archived && task.stage != Task::Stage::failed;
    task = Task{};  // its buffers go now
    task.remote = remote;
    task.stage = Task::Stage::done;
    task.archived = waits;
  }
  return end - first;
}

std::set<const remote::RemoteSnapshot*> RestoreExecutor::waiting_snapshots() const {
  std::set<const remote::RemoteSnapshot*> out;
  for (const auto& t : tasks_) {
    if (t.archived && t.stage != Task::Stage::failed) out.insert(t.remote);
  }
  return out;
}

void RestoreExecutor::left_behind(std::size_t t, const std::string& why) {
  ++summary_.snapshots_failed;
  if (tasks_[t].stage != Task::Stage::failed) summary_.errors.push_back({tasks_[t].remote->ref.rel_dir(), why});
}

}  // namespace pbs::restore
