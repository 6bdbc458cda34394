#include "sync/sync_executor.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "datastore/manifest.h"
#include "sync/gc_state.h"
#include "sync/remote_layout.h"
#include "sync/run_stop.h"
#include "transfer/retry_policy.h"
#include "transfer/object_store.h"
#include "util/file_io.h"

namespace pbs::sync {

using namespace datastore;

namespace {
constexpr std::size_t kMaxActiveTasks = 8;
// A reused chunk older than this is touched (copied onto itself) so gc's grace period, 24h05m by
// default, protects it until the manifest that needs it is written.
constexpr std::int64_t kTouchAfterSeconds = 12 * 3600;
// Server and local clocks may differ a little; a gc that finished this close to the first reuse
// counts as concurrent.
constexpr std::int64_t kClockMargin = 300;

// Bodies are checked on the hasher threads right before they are sent. Local damage is reported
// as Errc::corrupt, which no remote answer produces, so it cannot be mistaken for a remote error.
Status check_chunk_body(std::span<const std::uint8_t> bytes) {
  auto kind = check_blob(bytes);
  if (!kind) return Error(Errc::corrupt, kind.error().message());
  return {};
}
Status check_file_body(std::string_view name, std::span<const std::uint8_t> bytes) {
  auto kind = snapshot_file_kind(name);
  if (name == kManifestName) {
    auto m = parse_manifest_blob(bytes);
    if (!m) return std::move(m).error();
  } else if (kind && is_index_kind(*kind)) {
    auto index = parse_index(bytes);
    if (!index) return std::move(index).error();
  } else if (kind == FileKind::blob) {
    auto blob = check_blob(bytes);
    if (!blob) return std::move(blob).error();
  }
  return {};
}
}  // namespace

SyncExecutor::SyncExecutor(const Datastore& store, transfer::Engine& engine, Remote remote,
                           UploadOptions options, SyncSummary& summary)
    : store_(store), engine_(engine), remote_(std::move(remote)), options_(std::move(options)),
      summary_(summary) {}

s3::PutOptions SyncExecutor::put_options(bool chunk, bool if_none_match) const {
  s3::PutOptions o;
  o.if_none_match = if_none_match && options_.if_none_match;
  o.content_md5 = options_.content_md5;
  if (chunk) o.storage_class = options_.storage_class;
  o.sse = options_.sse;
  o.sse_kms_key_id = options_.sse_kms_key_id;
  return o;
}

void SyncExecutor::run(Plan& plan, ChunkKnowledge& known,
                       const std::function<void(const SyncProgress&)>& tick) {
  known_ = &known;
  sync_start_ = std::int64_t(std::time(nullptr)) + engine_.clock_offset();
  if (!known.listed || known.sizes.empty()) {
    known.present.for_each([&](const Digest& d) { done_.insert(d); });
  }
  tasks_.resize(plan.work.size());
  for (std::size_t i = 0; i < plan.work.size(); ++i) tasks_[i].work = &plan.work[i];
  progress_.snapshots_total = tasks_.size();
  limit_ = std::max<std::size_t>(2 * engine_.config().parallelism, engine_.config().parallelism + 4);

  for (const auto& up : plan.group_files) submit_group_file(up);
  for (const auto& up : plan.markers) submit_group_file(up);
  pump();
  auto all_done = [&] { return next_finalize_ == tasks_.size() && group_pending_ == 0; };
  engine_.run_until([&] {
    if (tick) {
      progress_.snapshots_done = next_finalize_;
      progress_.chunks_uploaded = summary_.chunks_uploaded;
      progress_.chunks_present = summary_.chunks_present;
      progress_.bytes_sent = engine_.counters().bytes_up;
      tick(progress_);
    }
    return (all_done() || stopping()) && engine_.outstanding() == 0;
  });
  // Nothing is left in flight; a task not finalized now could never be (a bug, not a state),
  // unless the run stopped early (the remote side, or an interrupt).
  std::string why = "not completed: " + (!summary_.remote_stop.empty() ? summary_.remote_stop
                                         : summary_.interrupted ? "the run was interrupted; the next run resumes"
                                                                : "the run stopped before it (internal error)");
  for (; next_finalize_ < tasks_.size(); ++next_finalize_) {
    ++summary_.snapshots_failed;
    if (!tasks_[next_finalize_].failed) summary_.errors.push_back({tasks_[next_finalize_].work->snapshot->ref.rel_dir(), why});
  }

  if (stopping()) return;
  // Deletions run the other way round: manifests first, so a remote snapshot never looks complete
  // while its files are being removed.
  std::vector<std::string> first = plan.group_deletes, rest;
  for (const auto& w : plan.work) {
    for (const auto& k : w.deletes) first.push_back(k);
  }
  for (const auto& v : plan.vanished) {
    first.push_back(v.keys.front());
    rest.insert(rest.end(), v.keys.begin() + 1, v.keys.end());
  }
  bool finished = false;
  delete_keys(first, [&] {
    summary_.snapshots_removed = plan.vanished.size();
    delete_keys(rest, [&] { finished = true; });
  });
  engine_.run_until([&] { return finished && engine_.outstanding() == 0; });
  summary_.snapshots_not_removed = plan.not_removed;
}

void SyncExecutor::delete_keys(std::vector<std::string> keys, std::function<void()> then) {
  if (keys.empty()) return then();
  std::vector<std::string> full;
  for (const auto& k : keys) full.push_back(remote_.key(k));
  auto store = std::make_shared<transfer::ObjectStore>(engine_, remote_.bucket);
  store->delete_keys(std::move(full), [this, store, then](Result<transfer::DeleteSummary> r) {
    if (!r) {
      summary_.errors.push_back({"s3://" + remote_.bucket + "/" + remote_.prefix, remote_error(r.error())});
      return;  // a failed first batch must not let the second (non-manifest) batch run
    }
    summary_.objects_deleted += r->deleted;
    for (const auto& f : r->failures) {
      summary_.errors.push_back({f.key, "delete failed: " + f.code + " " + f.message});
    }
    if (r->failures.empty()) then();
  });
}

void SyncExecutor::submit_group_file(const Upload& up) {
  ++group_pending_;
  s3::Request req = up.local_path.empty()
                        ? s3::put_object(remote_.bucket, remote_.key(up.key_rel), nullptr, put_options(false, false))
                        : s3::put_object_file(remote_.bucket, remote_.key(up.key_rel),
                                              {up.local_path, 0, up.size}, put_options(false, false));
  std::string key_rel = up.key_rel;
  std::uint64_t size = up.size;
  engine_.submit(std::move(req), [this, key_rel, size](Result<s3::Response> r) {
    --group_pending_;
    if (r) {
      ++summary_.files_uploaded;
      summary_.file_bytes_uploaded += size;
    } else {
      summary_.errors.push_back({key_rel, remote_error(r.error())});
      auto key = parse_content_key(std::string_view(key_rel).substr(kContentDir.size()));
      if (key && key->kind == ContentKey::Kind::group_file) failed_groups_.push_back(key->group);
    }
    pump();
  });
}

void SyncExecutor::activate(Task& task) {
  task.activated = true;
  std::size_t index = std::size_t(&task - tasks_.data());
  const SnapshotWork& w = *task.work;
  if (!w.chunks) return;
  DigestSet seen;
  for (const auto& f : w.snapshot->manifest.files) {
    auto kind = snapshot_file_kind(f.filename);
    if (!kind || !is_index_kind(*kind)) continue;
    auto ix = store_.read_index(w.snapshot->ref, f.filename);
    if (!ix) {
      if (ix.error().code() == Errc::not_found) return check_vanished(index, f.filename + " missing locally");
      return fail(index, {w.snapshot->ref.rel_dir() + "/" + f.filename, ix.error().message()});
    }
    for (const auto& d : ix->digests) {
      if (!seen.insert(d)) continue;
      if (!known_->proven.contains(d)) task.unproven.push_back(d);
      if (done_.contains(d)) {
        if (known_->listed && known_->present.contains(d) && credited_.insert(d)) ++summary_.chunks_present;
        if (known_->present.contains(d) && !known_->proven.contains(d)) {
          auto it = known_->listed_mtime.find(chunk_rel_key(d));
          reused(d, it == known_->listed_mtime.end() ? std::nullopt : std::optional<std::int64_t>(it->second));
        }
        if (reused_.contains(d)) task.at_risk.push_back(d);
        continue;
      }
      if (known_->listed && !known_->sizes.empty() && known_->present.contains(d)) {
        // Full mode: a listed chunk counts as stored when its size matches the local file.
        auto st = stat_path(store_.chunk_path(d));
        auto it = known_->sizes.find(chunk_rel_key(d));
        if (st && *st && it != known_->sizes.end() && it->second == (*st)->size) {
          done_.insert(d);
          credited_.insert(d);
          ++summary_.chunks_present;
          if (!known_->proven.contains(d)) {
            reused(d, std::nullopt);
            task.at_risk.push_back(d);
          }
          continue;
        }
      }
      task.chunks.push_back(d);
    }
  }
}

// Nothing new is submitted after an error that stops the run; what is in flight drains.
std::string SyncExecutor::remote_error(const Error& error) {
  if (auto why = remote_stop_reason(error); why && summary_.remote_stop.empty()) summary_.remote_stop = *why;
  return error.message();
}

bool SyncExecutor::stopping() {
  if (!summary_.interrupted && options_.interrupted && options_.interrupted()) {
    summary_.interrupted = true;
    summary_.errors.push_back({"", "interrupted: no new transfer started, the ones in flight finished"});
  }
  return summary_.interrupted || !summary_.remote_stop.empty();
}

void SyncExecutor::pump() {
  if (stopping()) return;
  while (engine_.outstanding() < limit_) {
    std::size_t t = tasks_.size();
    for (std::size_t i = next_finalize_; i < next_activate_; ++i) {
      const Task& c = tasks_[i];
      if (!c.submitted && !c.failed && !c.vanished) {
        t = i;
        break;
      }
    }
    if (t == tasks_.size()) {
      if (next_activate_ < tasks_.size() && active() < kMaxActiveTasks) {
        activate(tasks_[next_activate_++]);
        continue;
      }
      break;
    }
    Task& task = tasks_[t];
    const SnapshotWork& w = *task.work;
    if (task.file_cursor < w.files.size()) {
      submit_file(t, w.files[task.file_cursor++], false);
      continue;
    }
    if (task.cursor < task.chunks.size()) {
      const Digest& d = task.chunks[task.cursor++];
      if (done_.contains(d)) continue;
      if (auto bad = bad_.find(d); bad != bad_.end()) {
        fail(t, {w.snapshot->ref.rel_dir(), "not completed: chunk " + digest_hex(d) +
                                                " failed its local check"});
        continue;
      }
      ++task.pending;
      auto [it, inserted] = inflight_.try_emplace(d);
      it->second.push_back(t);
      if (inserted) submit_chunk(d, !known_->listed && w.kind == SnapshotWork::Kind::upload);
      continue;
    }
    task.submitted = true;  // its deletes (a stale .protected) run with the deletion phase
  }
  finalize();
}

void SyncExecutor::submit_chunk(const Digest& d, bool head_first) {
  ++summary_.chunks_checked;
  if (!head_first) return put_chunk(d);
  engine_.submit(s3::head_object(remote_.bucket, remote_.key(chunk_rel_key(d))), [this, d](Result<s3::Response> r) {
    if (!r) return chunk_done(d, ObjectError{chunk_rel_key(d), remote_error(r.error())}, false);
    if (r->status == 200) {
      ++summary_.chunks_present;
      std::optional<std::int64_t> modified;
      if (auto lm = r->header("last-modified")) modified = transfer::parse_http_date(*lm);
      reused(d, modified);
      return chunk_done(d, std::nullopt, false);
    }
    put_chunk(d);
  });
}

void SyncExecutor::put_chunk(const Digest& d) {
  std::string path = store_.chunk_path(d);
  auto st = stat_path(path);
  if (!st || !*st || !(*st)->is_regular) return chunk_done(d, std::nullopt, true);
  std::uint64_t size = (*st)->size;
  if (size == 0) {
    return chunk_done(d, ObjectError{path, "chunk file is empty (0 bytes)", true}, false);
  }
  bool repair = known_->listed && !known_->sizes.empty() && known_->present.contains(d);
  auto req = s3::put_object_file(remote_.bucket, remote_.key(chunk_rel_key(d)), {path, 0, size},
                                 put_options(true, !repair));
  req.check_body = check_chunk_body;
  engine_.submit(std::move(req), [this, d, path, size](Result<s3::Response> r) {
    if (!r) {
      if (r.error().code() == Errc::not_found) return chunk_done(d, std::nullopt, true);
      return chunk_done(d, ObjectError{path, remote_error(r.error()), r.error().code() == Errc::corrupt}, false);
    }
    if (r->status == 501) {
      if (options_.if_none_match) {
        options_.if_none_match = false;
        summary_.notices.push_back("the server does not implement conditional PUT (If-None-Match): chunks are "
                                   "uploaded without it; IF_NONE_MATCH=false in the STORAGE entry skips this probe");
      }
      return put_chunk(d);
    }
    if (r->status == 412) {
      ++summary_.chunks_present;
      reused(d, std::nullopt);  // it was there already: its age is unknown
    } else {
      ++summary_.chunks_uploaded;
      summary_.chunk_bytes_uploaded += size;
    }
    chunk_done(d, std::nullopt, false);
  });
}

void SyncExecutor::chunk_done(const Digest& d, const std::optional<ObjectError>& error, bool missing) {
  auto node = inflight_.extract(d);
  std::vector<std::size_t> waiters = node.empty() ? std::vector<std::size_t>{} : std::move(node.mapped());
  if (!error && !missing) {
    done_.insert(d);
    bool risky = reused_.contains(d);
    for (auto t : waiters) {
      if (risky) tasks_[t].at_risk.push_back(d);
      item_done(t);
    }
  } else if (missing) {
    for (auto t : waiters) {
      check_vanished(t, "chunk " + store_.chunk_path(d) + " is missing locally");
      item_done(t);
    }
  } else {
    bool damaged = error->local_damage;
    if (damaged) {
      bad_.emplace(d, *error);
      summary_.errors.push_back({error->object, "failed its local check, not uploaded: " + error->message});
    }
    for (auto t : waiters) {
      const auto& ref = tasks_[t].work->snapshot->ref;
      fail(t, damaged ? ObjectError{ref.rel_dir(), "not completed: chunk " + digest_hex(d) +
                                                       " failed its local check"}
                      : ObjectError{ref.rel_dir(), "not completed: " + error->message});
      item_done(t);
    }
  }
  pump();
}

void SyncExecutor::submit_file(std::size_t t, const Upload& up, bool is_manifest) {
  ++tasks_[t].pending;
  std::string name = up.key_rel.substr(up.key_rel.rfind('/') + 1);
  auto req = s3::put_object_file(remote_.bucket, remote_.key(up.key_rel), {up.local_path, 0, up.size},
                                 put_options(false, false));
  req.check_body = [name](std::span<const std::uint8_t> bytes) { return check_file_body(name, bytes); };
  std::uint64_t size = up.size;
  engine_.submit(std::move(req), [this, t, is_manifest, size, path = up.local_path](Result<s3::Response> r) {
    Task& task = tasks_[t];
    if (!r) {
      if (r.error().code() == Errc::not_found) {
        check_vanished(t, path + " is missing locally");
      } else {
        fail(t, {path, remote_error(r.error())});
      }
    } else {
      ++summary_.files_uploaded;
      summary_.file_bytes_uploaded += size;
      if (is_manifest) task.manifest_done = true;
    }
    item_done(t);
  });
}

void SyncExecutor::item_done(std::size_t t) {
  --tasks_[t].pending;
  pump();
}

void SyncExecutor::fail(std::size_t t, ObjectError error) {
  Task& task = tasks_[t];
  if (task.failed || task.vanished) return;
  task.failed = true;
  summary_.errors.push_back(std::move(error));
}

void SyncExecutor::check_vanished(std::size_t t, const std::string& what) {
  Task& task = tasks_[t];
  if (task.failed || task.vanished) return;
  const auto& ref = task.work->snapshot->ref;
  auto st = stat_path(store_.path(ref.rel_dir() + "/" + std::string(kManifestName)));
  if (st && !*st) {
    task.vanished = true;
    summary_.notices.push_back("snapshot " + ref.rel_dir() + " vanished locally during the run "
                               "(pruned?); skipped");
    return;
  }
  fail(t, {ref.rel_dir(), "not completed: " + what});
}

void SyncExecutor::finalize() {
  while (next_finalize_ < next_activate_) {
    Task& t = tasks_[next_finalize_];
    const SnapshotWork& w = *t.work;
    if (!t.failed && !t.vanished) {
      for (const auto& g : failed_groups_) {
        if (g == w.snapshot->ref.group) fail(next_finalize_, {w.snapshot->ref.rel_dir(), "not completed: its group's owner/notes could not be uploaded"});
      }
    }
    if (t.failed || t.vanished) {
      (t.failed ? summary_.snapshots_failed : summary_.snapshots_vanished)++;
      ++next_finalize_;
      continue;
    }
    if (!t.submitted || t.pending > 0 || group_pending_ > 0) return;
    if (w.manifest && !t.manifest_sent) {
      if (options_.before_manifest && !t.hook_called) {
        t.hook_called = true;
        options_.before_manifest(w.snapshot->ref);
      }
      if (!t.gate_passed) {
        if (!gate(next_finalize_)) {
          if (t.failed) continue;
          return;
        }
      }
      t.manifest_sent = true;
      auto manifest = store_.path(w.snapshot->ref.rel_dir() + "/" + std::string(kManifestName));
      auto st = stat_path(manifest);
      if (!st || !*st) {
        check_vanished(next_finalize_, "manifest missing locally");
        continue;
      }
      submit_file(next_finalize_, Upload{snapshot_file_rel_key(w.snapshot->ref, kManifestName), manifest, (*st)->size}, true);
      return;
    }
    if (w.manifest && !t.manifest_done) return;
    if (w.kind == SnapshotWork::Kind::upload) {
      ++summary_.snapshots_uploaded;
      for (const auto& f : w.snapshot->manifest.files) {
        auto kind = snapshot_file_kind(f.filename);
        if (kind && is_index_kind(*kind)) summary_.logical_bytes += f.size;
      }
    } else {
      ++summary_.snapshots_updated;
    }
    ++next_finalize_;
  }
}

void SyncExecutor::reused(const Digest& d, std::optional<std::int64_t> last_modified) {
  if (!reused_.insert(d)) return;
  std::int64_t now = std::int64_t(std::time(nullptr)) + engine_.clock_offset();
  if (first_reuse_ == 0) first_reuse_ = now;
  ++reuse_serial_;
  if (!last_modified || *last_modified < now - kTouchAfterSeconds) touch(d);
}

void SyncExecutor::touch(const Digest& d) {
  if (!touched_.insert(d)) return;
  ++touch_pending_;
  engine_.submit(s3::touch_object(remote_.bucket, remote_.key(chunk_rel_key(d)), options_.storage_class),
                 [this](Result<s3::Response> r) {
                   --touch_pending_;
                   // CopyObject may answer 200 with an error document.
                   bool ok = r && r->status == 200 && r->body_text().find("<Error>") == std::string_view::npos;
                   if (ok) {
                     ++summary_.chunks_touched;
                   } else {
                     touch_failed_ = true;  // the gate checks every reused chunk again
                   }
                   pump();
                 });
}

bool SyncExecutor::gate(std::size_t index) {
  Task& t = tasks_[index];
  const auto& ref = t.work->snapshot->ref;
  if (gc_running_) {
    fail(index, {ref.rel_dir(), "not completed: " + *gc_running_ + "; it completes on the next run"});
    return false;
  }
  if (touch_pending_ > 0 || t.pending > 0) return false;
  if (t.reverified) {
    t.gate_passed = true;
    return true;
  }
  // One read of gc-state before the first manifest, again after new reuse or every minute: a gc
  // that overlaps this run is noticed before it could matter.
  bool fresh = std::chrono::steady_clock::now() - gate_checked_ < std::chrono::seconds(60);
  if (gate_state_ == GateState::clear && gate_serial_ == reuse_serial_ && !touch_failed_ && fresh) {
    t.gate_passed = true;
    return true;
  }
  if (gate_state_ == GateState::reverify) {
    reverify(index);
    return false;
  }
  if (gate_pending_) return false;
  gate_pending_ = true;
  std::uint64_t serial = reuse_serial_;
  engine_.submit(s3::get_object(remote_.bucket, remote_.key(kGcStateKey)), [this, serial](Result<s3::Response> r) {
    gate_pending_ = false;
    std::int64_t now = std::int64_t(std::time(nullptr)) + engine_.clock_offset();
    if (!r) {
      gc_running_ = "the gc state could not be read (" + r.error().message() + ")";
    } else if (r->status == 200) {
      auto j = nlohmann::json::parse(r->body_text(), nullptr, false);
      bool running = !j.is_discarded() && j.value("running", false) && j.value("lease-expires", std::int64_t(0)) > now;
      std::int64_t finished = j.is_discarded() ? 0 : j.value("finished", std::int64_t(0));
      if (running) {
        gc_running_ = "a gc is running on the target (host " + j.value("host", std::string("?")) + ")";
      } else if (finished >= sync_start_ - kClockMargin || touch_failed_) {
        if (gate_state_ != GateState::reverify) {
          summary_.notices.push_back("a gc ran during this sync: every object a manifest needs is checked again before it is written");
        }
        gate_state_ = GateState::reverify;
      } else {
        gate_state_ = GateState::clear;
        gate_serial_ = serial;
        gate_checked_ = std::chrono::steady_clock::now();
      }
    } else if (touch_failed_) {
      gate_state_ = GateState::reverify;
    } else {
      gate_state_ = GateState::clear;  // no gc ever ran here
      gate_serial_ = serial;
      gate_checked_ = std::chrono::steady_clock::now();
    }
    pump();
  });
  return false;
}

void SyncExecutor::reverify(std::size_t index) {
  Task& t = tasks_[index];
  if (t.reverify_started) return;
  t.reverify_started = true;
  // Every object this snapshot's manifest will name, except chunks a complete snapshot references
  // (gc keeps those): present, or sent again now.
  auto check = [this, index](std::string key_rel, std::string path, bool chunk) {
    ++tasks_[index].pending;
    engine_.submit(s3::head_object(remote_.bucket, remote_.key(key_rel)),
                   [this, index, key_rel, path, chunk](Result<s3::Response> r) {
      if (!r) {
        fail(index, {tasks_[index].work->snapshot->ref.rel_dir(), "not completed: " + remote_error(r.error())});
        return item_done(index);
      }
      if (r->status == 200) return item_done(index);
      auto st = stat_path(path);
      if (!st || !*st) {
        check_vanished(index, path + " is missing locally");
        return item_done(index);
      }
      std::uint64_t size = (*st)->size;
      auto req = s3::put_object_file(remote_.bucket, remote_.key(key_rel), {path, 0, size}, put_options(chunk, false));
      if (chunk) {
        req.check_body = check_chunk_body;
      } else {
        std::string name = key_rel.substr(key_rel.rfind('/') + 1);
        req.check_body = [name](std::span<const std::uint8_t> bytes) { return check_file_body(name, bytes); };
      }
      engine_.submit(std::move(req), [this, index, path, size, chunk](Result<s3::Response> pr) {
        if (!pr) {
          fail(index, {path, remote_error(pr.error())});
        } else if (chunk) {
          ++summary_.chunks_uploaded;
          ++summary_.chunks_reuploaded;
          summary_.chunk_bytes_uploaded += size;
        } else {
          ++summary_.files_uploaded;
          summary_.file_bytes_uploaded += size;
        }
        item_done(index);
      });
    });
  };
  const auto& snap = *t.work->snapshot;
  for (const auto& name : snap.files) {
    if (name == kManifestName) continue;
    check(snapshot_file_rel_key(snap.ref, name), store_.path(snap.ref.rel_dir() + "/" + name), false);
  }
  check(group_file_rel_key(snap.ref.group, kOwnerName), store_.path(snap.ref.group.rel_dir() + "/owner"), false);
  for (const Digest& d : t.unproven) check(chunk_rel_key(d), store_.chunk_path(d), true);
  t.reverified = true;
}

}  // namespace pbs::sync
