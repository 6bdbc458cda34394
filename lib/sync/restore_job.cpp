#include "sync/restore_job.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "datastore/blob.h"
#include "datastore/datastore_writer.h"
#include "datastore/digest_set.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "sync/remote_catalog.h"
#include "sync/remote_layout.h"
#include "sync/run_stop.h"
#include "sync/sync_job.h"
#include "sync/sync_plan.h"
#include "transfer/object_store.h"
#include "util/file_io.h"

namespace pbs::sync {

using namespace datastore;

namespace {

constexpr std::size_t kMaxActive = 16;
constexpr std::uint64_t kMaxFileSize = std::uint64_t(1) << 32;

bool selected(const RestoreSelection& sel, const SnapshotRef& ref) {
  if (!ref.group.ns.is_within(sel.anchor)) return false;
  if (sel.max_depth && ref.group.ns.depth() - sel.anchor.depth() > *sel.max_depth) return false;
  if (sel.group && ref.group != *sel.group) return false;
  if (sel.snapshot && ref != *sel.snapshot) return false;
  return true;
}

// A write that failed on the file system (full, quota, read-only, gone) rather than on what was
// written (a refused name, content that does not check): the first stops the restore.
bool file_system_failure(const Error& e) {
  auto c = e.code();
  return c == Errc::io || c == Errc::no_space || c == Errc::access_denied || c == Errc::not_found;
}

class RestoreExecutor {
 public:
  RestoreExecutor(transfer::Engine& engine, const Remote& remote, const DatastoreWriter& writer,
                  RestoreSummary& summary, std::function<bool()> interrupted)
      : engine_(engine), remote_(remote), writer_(writer), summary_(summary), interrupted_(std::move(interrupted)) {}

  void run(std::vector<const RemoteSnapshot*> snapshots, const std::function<void(const SyncProgress&)>& tick) {
    tasks_.resize(snapshots.size());
    for (std::size_t i = 0; i < snapshots.size(); ++i) tasks_[i].remote = snapshots[i];
    limit_ = std::max<std::size_t>(2 * engine_.config().parallelism, 4);
    progress_.snapshots_total = tasks_.size();
    pump();
    engine_.run_until([&] {
      if (tick) {
        progress_.snapshots_done = next_finalize_;
        progress_.chunks_uploaded = summary_.chunks_fetched;
        progress_.chunks_present = summary_.chunks_present;
        progress_.bytes_sent = engine_.counters().bytes_down;
        tick(progress_);
      }
      return (next_finalize_ == tasks_.size() || stopping()) && engine_.outstanding() == 0;
    });
    std::string why = "not restored: " + (!summary_.remote_stop.empty() ? summary_.remote_stop
                                          : summary_.interrupted ? "the restore was interrupted; rerun it, it resumes"
                                          : stopped_ ? "the restore stopped after a local write error (see above); "
                                                       "rerun it once that is fixed, it resumes"
                                                     : "the run stopped before it (internal error)");
    for (; next_finalize_ < tasks_.size(); ++next_finalize_) {
      ++summary_.snapshots_failed;
      if (!tasks_[next_finalize_].failed) summary_.errors.push_back({tasks_[next_finalize_].remote->ref.rel_dir(), why});
    }
  }

 private:
  struct Task {
    const RemoteSnapshot* remote = nullptr;
    enum class State { waiting, manifest, files, chunks, done } state = State::waiting;
    std::vector<std::uint8_t> manifest_bytes;
    Manifest manifest;
    std::map<std::string, std::vector<std::uint8_t>> files;
    std::vector<Digest> chunks;
    std::size_t cursor = 0;
    std::size_t pending = 0;
    bool failed = false;
  };

  std::string key(const SnapshotRef& ref, std::string_view file) const {
    return remote_.key(snapshot_file_rel_key(ref, file));
  }

  void fail(std::size_t t, const std::string& object, const std::string& message) {
    Task& task = tasks_[t];
    if (task.failed) return;
    task.failed = true;
    summary_.errors.push_back({object, message});
  }

  std::size_t active() const { return next_activate_ - next_finalize_; }

  // A local write error (disk full, quota, read-only, I/O error) is not about one object: going on
  // would download everything only to fail writing it. Stop fetching, let what is in flight drain.
  void stop(const std::string& object, const std::string& message) {
    if (stopped_) return;
    stopped_ = true;
    summary_.errors.push_back({object, message});
  }

  // Stops like a local write error does when the error is about the target (run_stop.h).
  std::string remote_error(const Error& error) {
    if (auto why = remote_stop_reason(error); why && !stopped_) {
      summary_.remote_stop = *why;
      stopped_ = true;
    }
    return error.message();
  }

  bool stopping() {
    if (!stopped_ && interrupted_ && interrupted_()) {
      stopped_ = true;
      summary_.interrupted = true;
      summary_.errors.push_back({"", "interrupted: no new transfer started, the ones in flight finished"});
    }
    return stopped_;
  }

  void pump() {
    if (stopping()) return;
    while (next_activate_ < tasks_.size() && active() < kMaxActive) start(next_activate_++);
    for (std::size_t t = next_finalize_; t < next_activate_ && engine_.outstanding() < limit_; ++t) {
      Task& task = tasks_[t];
      if (task.state != Task::State::chunks || task.failed) continue;
      while (task.cursor < task.chunks.size() && engine_.outstanding() < limit_) {
        const Digest& d = task.chunks[task.cursor++];
        if (done_.contains(d)) continue;
        if (bad_.contains(d)) {
          fail(t, task.remote->ref.rel_dir(), "not restored: chunk " + digest_hex(d) + " is damaged remotely");
          continue;
        }
        ++task.pending;
        auto [it, inserted] = inflight_.try_emplace(d);
        it->second.push_back(t);
        if (inserted) fetch_chunk(d);
      }
    }
    finalize();
  }

  void start(std::size_t t) {
    Task& task = tasks_[t];
    task.state = Task::State::manifest;
    const auto& ref = task.remote->ref;
    ++task.pending;
    transfer::Sink sink;
    sink.max_memory = kMaxBlobSize + 4096;
    engine_.submit(s3::get_object(remote_.bucket, key(ref, kManifestName)), sink, [this, t](Result<s3::Response> r) {
      Task& task = tasks_[t];
      --task.pending;
      const auto& ref = task.remote->ref;
      std::string where = key(ref, kManifestName);
      if (!r || r->status != 200) {
        fail(t, where, r ? "vanished remotely during the restore" : remote_error(r.error()));
        return pump();
      }
      auto m = parse_manifest_blob(r->body);
      if (!m) {
        fail(t, where, m.error().message());
        return pump();
      }
      if (m->type != ref.group.type || m->id != ref.group.id || m->time != ref.time) {
        fail(t, where, "the manifest names another snapshot; refusing it");
        return pump();
      }
      task.manifest = std::move(*m);
      task.manifest_bytes = std::move(r->body);
      fetch_files(t);
      pump();
    });
  }

  void fetch_files(std::size_t t) {
    Task& task = tasks_[t];
    task.state = Task::State::files;
    const auto& ref = task.remote->ref;
    std::vector<std::string> names;
    for (const auto& f : task.manifest.files) names.push_back(f.filename);
    // Files a PBS snapshot holds besides the listed ones: the client log and the protection mark.
    for (const auto& [name, f] : task.remote->files) {
      if (name != kManifestName && !task.manifest.find(name) &&
          (name == "client.log.blob" || name == kProtectedName)) {
        names.push_back(name);
      }
    }
    for (const auto& name : names) {
      ++task.pending;
      transfer::Sink sink;
      sink.max_memory = kMaxFileSize;
      engine_.submit(s3::get_object(remote_.bucket, key(ref, name)), sink, [this, t, name](Result<s3::Response> r) {
        Task& task = tasks_[t];
        --task.pending;
        std::string where = key(task.remote->ref, name);
        if (!r || r->status != 200) {
          fail(t, where, r ? "listed in the manifest but missing remotely" : remote_error(r.error()));
        } else if (const ManifestFile* entry = task.manifest.find(name)) {
          if (auto st = check_manifest_file(*entry, r->body); !st) {
            fail(t, where, "does not match the manifest: " + st.error().message());
          }
        } else if (name != kProtectedName) {
          if (auto blob = check_blob(r->body); !blob) fail(t, where, blob.error().message());
        }
        if (r && r->status == 200) task.files[name] = std::move(r->body);
        if (task.pending == 0 && !task.failed) plan_chunks(t);
        pump();
      });
    }
    if (names.empty()) plan_chunks(t);
  }

  void plan_chunks(std::size_t t) {
    Task& task = tasks_[t];
    task.state = Task::State::chunks;
    DigestSet seen;
    for (const auto& [name, bytes] : task.files) {
      auto kind = snapshot_file_kind(name);
      if (!kind || !is_index_kind(*kind)) continue;
      auto ix = parse_index(bytes);
      if (!ix) continue;  // check_manifest_file parsed it already
      for (const auto& d : ix->digests) {
        if (!seen.insert(d) || done_.contains(d)) continue;
        auto local = writer_.has_chunk(d);
        if (local && *local) {
          done_.insert(d);
          ++summary_.chunks_present;
          continue;
        }
        task.chunks.push_back(d);
      }
    }
  }

  void fetch_chunk(const Digest& d) {
    transfer::Sink sink;
    sink.max_memory = kMaxChunkSize + kEncryptedBlobHeaderSize + 4096;
    engine_.submit(s3::get_object(remote_.bucket, remote_.key(chunk_rel_key(d))), sink, [this, d](Result<s3::Response> r) {
      auto node = inflight_.extract(d);
      std::vector<std::size_t> waiters = node.empty() ? std::vector<std::size_t>{} : std::move(node.mapped());
      std::string where = remote_.key(chunk_rel_key(d));
      std::optional<std::string> error;
      bool written = false;
      if (stopped_) {
        // Not written: the run is stopping and reports its snapshots with the reason.
      } else if (!r) {
        error = remote_error(r.error());
      } else if (r->status != 200) {
        error = "chunk missing remotely";
      } else if (auto check = check_chunk(r->body, d); !check) {
        error = "damaged remotely: " + check.error().message();
      } else if (auto st = writer_.write_chunk(d, r->body); !st) {
        if (!file_system_failure(st.error())) error = st.error().message();
        else stop(writer_.datastore().chunk_path(d), st.error().message());
      } else {
        written = true;
      }
      if (error) {
        bad_.insert(d);
        summary_.errors.push_back({where, *error});
        for (auto t : waiters) fail(t, tasks_[t].remote->ref.rel_dir(), "not restored: chunk " + digest_hex(d) + " unavailable");
      } else if (written) {
        done_.insert(d);
        ++summary_.chunks_fetched;
        summary_.chunk_bytes += r->body.size();
      }
      for (auto t : waiters) --tasks_[t].pending;
      pump();
    });
  }

  bool ready(const Task& t) const {
    if (t.failed) return t.pending == 0;  // keep its buffers until its requests are done
    return t.state == Task::State::chunks && t.pending == 0 && t.cursor >= t.chunks.size();
  }

  // Snapshots complete oldest first. Every snapshot ready now writes its indexes and blobs; one
  // filesystem sync makes them and their chunks durable; then their manifests go in, in order.
  void finalize() {
    std::size_t end = next_finalize_;
    while (end < next_activate_ && ready(tasks_[end])) ++end;
    if (end == next_finalize_) return;
    for (std::size_t i = next_finalize_; i < end; ++i) {
      Task& task = tasks_[i];
      if (task.failed) continue;
      for (const auto& [name, bytes] : task.files) {
        if (auto st = writer_.write_snapshot_file(task.remote->ref, name, bytes); !st) {
          if (file_system_failure(st.error())) return stop(task.remote->ref.rel_dir() + "/" + name, st.error().message());
          fail(i, task.remote->ref.rel_dir() + "/" + name, st.error().message());
          break;
        }
        ++summary_.files_written;
      }
    }
    if (auto synced = writer_.sync(); !synced) return stop(writer_.datastore().root(), synced.error().message());
    for (std::size_t i = next_finalize_; i < end; ++i) {
      Task& task = tasks_[i];
      const auto& ref = task.remote->ref;
      if (!task.failed) {
        if (auto st = writer_.write_snapshot_file(ref, kManifestName, task.manifest_bytes, true); !st) {
          std::string where = ref.rel_dir() + "/" + std::string(kManifestName);
          if (file_system_failure(st.error())) {
            next_finalize_ = i;  // the ones before it are done and counted
            return stop(where, st.error().message());
          }
          fail(i, where, st.error().message());
        }
      }
      if (task.failed) {
        ++summary_.snapshots_failed;
      } else {
        ++summary_.files_written;
        ++summary_.snapshots_restored;
      }
      task.state = Task::State::done;
      task.files.clear();
      task.manifest_bytes.clear();
      task.chunks = {};
    }
    next_finalize_ = end;
    while (next_activate_ < tasks_.size() && active() < kMaxActive) start(next_activate_++);
  }

  transfer::Engine& engine_;
  const Remote& remote_;
  const DatastoreWriter& writer_;
  RestoreSummary& summary_;
  std::vector<Task> tasks_;
  std::unordered_map<Digest, std::vector<std::size_t>, DigestHash> inflight_;
  DigestSet done_;
  DigestSet bad_;
  std::size_t next_activate_ = 0;
  std::size_t next_finalize_ = 0;
  std::size_t limit_ = 8;
  std::function<bool()> interrupted_;
  bool stopped_ = false;
  SyncProgress progress_;
};

}  // namespace

Result<RestoreSummary> run_restore(transfer::Engine& engine, const Remote& remote,
                                   const std::string& datastore_path, const RestoreOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  RestoreSummary summary;
  summary.datastore = datastore_path;
  summary.target = "s3://" + remote.bucket + (remote.prefix.empty() ? "" : "/" + remote.prefix);
  {
    transfer::ObjectStore store(engine, remote.bucket);
    PBS_TRY(store.head_bucket());
  }
  PBS_ASSIGN(RemoteCatalog catalog, load_catalog(engine, remote));
  for (const auto& k : catalog.invalid_keys()) {
    auto why = parse_content_key(std::string_view(k).substr(std::min(k.size(), kContentDir.size())));
    summary.errors.push_back({remote.key(k), "refused: " + (why ? std::string("not a PBS path") : why.error().message())});
  }

  std::map<GroupRef, const RemoteSnapshot*> newest;
  std::vector<const RemoteSnapshot*> chosen;
  for (const auto& [ref, rs] : catalog.snapshots()) {
    if (!rs.complete() || !selected(options.selection, ref)) continue;
    if (options.selection.latest) {
      auto& n = newest[ref.group];
      if (!n || n->ref.time < ref.time) n = &rs;
    } else {
      chosen.push_back(&rs);
    }
  }
  for (const auto& [g, rs] : newest) chosen.push_back(rs);
  std::stable_sort(chosen.begin(), chosen.end(), [](const RemoteSnapshot* a, const RemoteSnapshot* b) {
    return a->ref.time < b->ref.time;
  });
  if (chosen.empty() && (options.selection.snapshot || options.selection.group)) {
    return Error(Errc::not_found, "no complete remote snapshot matches the selection in " + summary.target);
  }
  summary.snapshots_selected = chosen.size();

  PBS_ASSIGN(auto existed, stat_path(datastore_path));
  summary.created = !existed;
  if (options.dry_run) {
    summary.counters = engine.counters();
    summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
  }
  PBS_ASSIGN(DatastoreWriter writer, DatastoreWriter::open_or_create(datastore_path));
  PBS_ASSIGN(DatastoreLock lock, writer.lock_shared());

  // Namespaces (markers keep empty ones), then group owner/notes missing locally.
  for (const auto& ns : catalog.namespace_markers()) {
    if (ns.is_within(options.selection.anchor)) PBS_TRY(writer.create_namespace(ns));
  }
  std::vector<const RemoteSnapshot*> todo;
  std::set<GroupRef> groups;
  for (const RemoteSnapshot* rs : chosen) {
    const auto& ref = rs->ref;
    // Already restored: a local manifest identical to the remote one.
    std::string local_manifest = writer.datastore().path(ref.rel_dir() + "/" + std::string(kManifestName));
    auto st = stat_path(local_manifest);
    const auto& rm = rs->files.at(std::string(kManifestName));
    if (st && *st && (*st)->size == rm.size) {
      auto md5 = file_md5_hex(local_manifest);
      if (md5 && (*md5 == rm.etag || rm.etag.size() != 32)) {
        ++summary.snapshots_present;
        continue;
      }
    }
    todo.push_back(rs);
    groups.insert(ref.group);
  }
  for (const auto& g : groups) {
    const RemoteGroup* rg = catalog.group(g);
    if (!rg) continue;
    for (const auto& [name, f] : rg->files) {
      auto local = stat_path(writer.datastore().path(g.rel_dir() + "/" + name));
      if (local && *local) continue;
      auto r = engine.execute(s3::get_object(remote.bucket, remote.key(group_file_rel_key(g, name))));
      if (!r || r->status != 200) {
        summary.errors.push_back({remote.key(group_file_rel_key(g, name)), r ? "vanished remotely" : r.error().message()});
        continue;
      }
      if (auto w = writer.write_group_file(g, name, r->body); !w) return std::move(w).error();
      ++summary.files_written;
    }
  }

  RestoreExecutor executor(engine, remote, writer, summary, options.interrupted);
  executor.run(std::move(todo), options.on_progress);
  summary.counters = engine.counters();
  summary.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace pbs::sync
